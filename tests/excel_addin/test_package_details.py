"""Small things of the built .xlam that Excel shows or rewrites: whose file it says it is
(docProps), no folder of the template author's computer, and the PROJECT stream's
[Workspace] records written where Excel writes them."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from rootfi_excel.errors import PackageError
from rootfi_excel.excel_addin import package
from rootfi_excel.excel_addin.build import NEW_MODULES, build_addin, xlwings_template
from tests.support.xlam_reader import parts, read_vba, read_vba_bin


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_addin(tmp_path_factory.mktemp("dist"))


def test_the_document_properties_name_us_not_the_templates_author(built):
    core = parts(built.path)["docProps/core.xml"].decode("utf-8")
    assert re.search(r"<dc:creator>([^<]*)</dc:creator>", core).group(1) == package.AUTHOR
    assert re.search(r"<cp:lastModifiedBy>([^<]*)</cp:lastModifiedBy>", core).group(1) == package.AUTHOR
    with zipfile.ZipFile(io.BytesIO(xlwings_template())) as template:
        theirs = template.read("docProps/core.xml").decode("utf-8")
    authors = re.findall(r"<dc:creator>([^<]*)<|<cp:lastModifiedBy>([^<]*)<", theirs)
    assert authors and all(name not in core for pair in authors for name in pair if name)


def test_no_folder_of_the_template_authors_computer_is_left(built):
    with zipfile.ZipFile(io.BytesIO(xlwings_template())) as template:
        assert "absPath" in template.read("xl/workbook.xml").decode("utf-8")  # the template has one
    # Every XML part (the VBA project keeps, in its MSForms reference, the path of a type-library
    # cache on the computer that last saved it: Excel writes its own there when it compiles).
    xml = b"".join(data for name, data in parts(built.path).items() if name != "xl/vbaProject.bin")
    assert b"absPath" not in xml and b"felix" not in xml.lower()


def workspace(project_stream: str) -> tuple[list[str], str]:
    section = project_stream.split("[Workspace]\r\n", 1)[1]
    records = re.match(r"(?:[^\r\n\[=]+=[^\r\n]*\r\n)*", section).group(0)
    return records.splitlines(), section[len(records):]


def test_workspace_records_are_where_excel_writes_them(built):
    ours = read_vba(built.path)
    with zipfile.ZipFile(io.BytesIO(xlwings_template())) as template:
        theirs = read_vba_bin(template.read("xl/vbaProject.bin"))
    records, after = workspace(ours.project_stream)
    template_records, template_after = workspace(theirs.project_stream)
    assert after == template_after == "\r\n"  # one closing blank line, after the last record, as Excel ends it
    assert "\r\n\r\n" not in ours.project_stream.split("[Workspace]\r\n", 1)[1][:-2]  # no blank line inside
    names = [record.partition("=")[0] for record in records]
    assert sorted(names) == sorted(ours.modules)  # one record per module, every module has one
    for name in NEW_MODULES:
        assert f"{name}=0, 0, 0, 0, C" in records  # what Excel writes for a code window never opened
    assert len(records) == len(template_records) + len(NEW_MODULES)


def test_the_workspace_edit_refuses_a_section_it_does_not_recognise():
    with pytest.raises(PackageError, match="does not end as Excel writes it"):
        package.with_workspace_records('Name="X"\r\n\r\n[Workspace]\r\nA=0, 0, 0, 0, C\r\n\r\n\r\n[Other]\r\n', ("B",))
    text = '[Workspace]\r\nA=0, 0, 0, 0, C\r\n\r\n'
    assert package.with_workspace_records(text, ("B", "a")) == '[Workspace]\r\nA=0, 0, 0, 0, C\r\nB=0, 0, 0, 0, C\r\n\r\n'
