"""No code path of Validate, Submit, Refresh lookups or Posted saves a workbook through
openpyxl's whole-workbook writer (it drops pictures, text boxes, buttons, header images).

Every test of the suite runs under that guard (tests/conftest.py, tests/support/whole_save.py):
these tests show the guard catches such a save, and run the four commands through the
cases that used to need one, with the writer refused outright."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.writer.excel import ExcelWriter

from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import PAYMENTS, Status
from tests.support import whole_save
from tests.support.cli_books import NETSUITE, demo_book, table_rows


def test_the_guard_catches_a_whole_workbook_save_inside_a_command(tmp_path, monkeypatch, _no_whole_workbook_save):
    from rootfi_excel.app import validate as validating

    path = demo_book_offline(tmp_path)
    real = validating.write_validation

    def write_and_save_whole(port, report, *rest):
        real(port, report, *rest)
        openpyxl.Workbook().save(io.BytesIO())  # what a regression would do

    monkeypatch.setattr(validating, "write_validation", write_and_save_whole)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2  # the command's error boundary turned it into one line...
    assert _no_whole_workbook_save and "app/validate.py" in _no_whole_workbook_save[0]  # ...but it was seen
    _no_whole_workbook_save.clear()  # this test meant it: do not fail it


def demo_book_offline(tmp_path):
    from rootfi_excel.workbook.template import build_template

    return build_template(tmp_path / "book.xlsx", payments=[dict(document_number="P-1", invoice_id="INV-1", amount=5,
                                                                 payment_date=dt.datetime(2026, 3, 4))],
                          settings={"company_id": NETSUITE})


def refuse_the_writer(monkeypatch) -> None:
    """From now on in this test, any call of openpyxl's whole-workbook writer fails it."""
    def refuse(self):
        raise AssertionError("openpyxl's whole-workbook writer was called")

    monkeypatch.setattr(ExcelWriter, "save", refuse)


def _edit(path, change):
    with zipfile.ZipFile(path) as package:
        contents = {info.filename: package.read(info) for info in package.infolist()}
    change(contents)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in contents.items():
            package.writestr(name, data)


def _date1904(contents):
    contents["xl/workbook.xml"] = re.sub(rb"<workbookPr\b", b'<workbookPr date1904="1"', contents["xl/workbook.xml"])


def _no_styles_on_payments(contents):
    contents["xl/worksheets/sheet2.xml"] = re.sub(rb' (s|style)="\d+"', b"", contents["xl/worksheets/sheet2.xml"])


def _prefixed(contents):
    xml = re.sub(rb"<(/?)(?=[a-zA-Z])(?!x:)", rb"<\1x:", contents["xl/worksheets/sheet2.xml"])
    contents["xl/worksheets/sheet2.xml"] = xml.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)


def _a_row_typed_below(contents):
    table = next(name for name in contents if name.startswith("xl/tables/")
                 and b'name="InvoicePayments"' in contents[name])
    ref = re.search(rb'ref="A1:([A-Z]+)(\d+)"', contents[table])
    shorter = b"A1:%s%d" % (ref.group(1), int(ref.group(2)) - 1)
    contents[table] = contents[table].replace(ref.group(0)[5:-1], shorter)  # the last row is below the table now


@pytest.mark.usefixtures("quick_command_client")
@pytest.mark.parametrize("case", [_date1904, _no_styles_on_payments, _prefixed, _a_row_typed_below],
                         ids=["1904 dates", "no date format", "namespace prefix", "a row typed below"])
def test_the_four_commands_never_call_the_writer(case, sandbox, api_key, tmp_path, monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=4, notes=1)
    _edit(path, case)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    refuse_the_writer(monkeypatch)
    for command in (["validate", str(path)], ["submit", str(path), "--yes"], ["lookups", str(path)],
                    ["posted", str(path), "--from", "2000-01-01", "--to", "2099-12-31"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 0, f"{command[0]}: {result.output}"
    rows = table_rows(path, PAYMENTS.sheet)
    assert len(rows) == 4 and {r["status"] for r in rows} == {Status.CREATED}
    assert all(isinstance(r["submitted_at"], dt.datetime) for r in rows)
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 4


def test_the_guard_lets_a_new_file_be_made(tmp_path):
    """The template builder (template, New workbook, the demo's fresh file) still writes a new
    file through openpyxl: that is not a command changing someone's workbook."""
    assert demo_book_offline(tmp_path).exists()
    assert whole_save.caller_inside_a_command(whole_save.command_codes()) is None
