"""Workbooks made by other programs, with pictures, charts, comments, text boxes, buttons,
checkboxes, header images, validations, conditional formats, hyperlinks, rich text,
tables, array formulas, protection, 1904 dates: written at test time by XlsxWriter
(tests/support/corpus.py) and, where LibreOffice is installed, re-saved by it.

Each is grafted with the template's sheets, then validated, submitted against the
sandbox (its answers carrying characters XML 1.0 forbids), its lookups refreshed and its
Posted sheet written, all through the command line. Then: every part the add-in does not
own is byte for byte what it was; what it owns changed only where it may (result cells,
appended styles, its own tables, names and sheets); the result cells hold what was
written; openpyxl reads the file; LibreOffice, where installed, opens it and sees the
results.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.demo.data import credit_note_rows, fetch_lookups, payment_rows
from rootfi_excel.lookups.posted_sheet import POSTED_SHEET
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, LOOKUPS_SHEET, PAYMENTS, RESULT_COLUMNS, ROW_KEY_HEADER, Status
from rootfi_excel.sheets.totals_view import TOTALS_SHEET
from rootfi_excel.workbook.template import build_template
from rootfi_excel.workbook.xlsx_package import Package
from tests.support.corpus import LIBREOFFICE, MAKERS, make
from tests.support.graft import graft
from tests.support.submitting import fast_client

FILES = [f"xlsxwriter/{name}" for name in MAKERS] + [f"libreoffice/{name}" for name in LIBREOFFICE]
NETSUITE = 1003
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NOT_INSTALLED = ("LibreOffice (soffice) is not installed here, so the corpus is not opened in it: "
                 "apt-get install libreoffice-calc (.ci/run installs it where apt-get works)")


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def template_for(sandbox, api_key: str, tmp_path: Path) -> bytes:
    """The template with a few payments and credit notes of the sandbox's company, dates as
    ISO text (the grafted sheets keep no styles; a 1904 workbook reads serials otherwise)."""
    client = fast_client(sandbox, api_key)
    company = client.get_company(NETSUITE)
    lookups = fetch_lookups(client, NETSUITE)

    def as_text(rows):
        return [{k: v.date().isoformat() if isinstance(v, dt.datetime) else v for k, v in row.items()} for row in rows]

    path = build_template(tmp_path / "template.xlsx",
                          payments=as_text(payment_rows(lookups, 5, integration=company.integration,
                                                        with_mistakes=False)),
                          credit_note_lines=as_text(credit_note_rows(lookups, 2, integration=company.integration,
                                                                     with_mistakes=False)),
                          settings={"company_id": NETSUITE, "integration": company.integration,
                                    "environment": "sandbox", "base_url": sandbox.base_url})
    return path.read_bytes()


@pytest.fixture(scope="session")
def libreoffice_profile(tmp_path_factory) -> Path:
    """One LibreOffice user profile per test process (two processes cannot share one)."""
    return tmp_path_factory.mktemp("libreoffice-profile")


@pytest.fixture(scope="session")
def resaved_by_libreoffice(tmp_path_factory, libreoffice_profile) -> Path:
    """The folder of every libreoffice/ workbook: written by XlsxWriter, then re-saved by
    LibreOffice, all in one soffice run (a start costs about a second of CPU), made once per test
    run by whichever xdist worker asks first; the others wait for it and read the files."""
    from filelock import FileLock

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the workers' common folder
    folder = shared / "corpus-resaved-by-libreoffice"
    with FileLock(str(shared / "corpus-resaved-by-libreoffice.lock")):
        if not (folder / "done").exists():
            made = [make(name, tmp_path_factory.mktemp("corpus-made") / f"{name}.xlsx") for name in LIBREOFFICE]
            done = subprocess.run([SOFFICE, "--headless", "--norestore",
                                   f"-env:UserInstallation={libreoffice_profile.as_uri()}",
                                   "--convert-to", "xlsx", "--outdir", str(folder), *map(str, made)],
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0 and all((folder / m.name).exists() for m in made), done.stdout + done.stderr
            (folder / "done").touch()
    return folder


def corpus_file(source: str, tmp_path: Path, request) -> Path:
    """The corpus workbook: written by XlsxWriter, and for libreoffice/ re-saved by LibreOffice."""
    program, name = source.split("/")
    if program == "xlsxwriter":
        return make(name, tmp_path / f"{name}.xlsx")
    if not SOFFICE:
        pytest.skip(NOT_INSTALLED)
    copy = tmp_path / "resaved" / f"{name}.xlsx"
    copy.parent.mkdir()
    shutil.copyfile(request.getfixturevalue("resaved_by_libreoffice") / f"{name}.xlsx", copy)
    return copy


@pytest.mark.slow
@pytest.mark.usefixtures("quick_command_client")
@pytest.mark.parametrize("source", FILES)
def test_a_workbook_made_elsewhere_keeps_every_part_it_had(source, make_sandbox, api_key, tmp_path, monkeypatch,
                                                          libreoffice_profile, request):
    sandbox = make_sandbox(odd_text=True)
    original = corpus_file(source, tmp_path, request)
    path = tmp_path / "book.xlsx"
    path.write_bytes(graft(original.read_bytes(), template_for(sandbox, api_key, tmp_path)))
    before = parts(path)
    package = Package(path.read_bytes())
    tables = package.sheets[PAYMENTS.sheet], package.sheets[CREDIT_NOTE_LINES.sheet]
    lookups_sheet = package.sheets[LOOKUPS_SHEET]

    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    for command in (["validate", str(path)], ["submit", str(path), "--yes"], ["lookups", str(path)],
                    ["posted", str(path), "--from", "2000-01-01", "--to", "2099-12-31"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 0, f"{command[0]}: {result.output}"
    after = parts(path)

    # Every part the add-in does not own: byte for byte, in the same order, none lost.
    assert list(after)[:len(before)] == list(before)
    owned = {*tables, lookups_sheet, _rels_of(lookups_sheet), "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
             "[Content_Types].xml", "xl/styles.xml"}
    reports = (LOOKUPS_SHEET, POSTED_SHEET, TOTALS_SHEET)  # sheets whose tables the add-in writes whole
    owned |= {t.path for t in Package(path.read_bytes()).tables().values() if t.sheet in reports}
    for name, data in before.items():
        if name not in owned:
            assert after[name] == data, f"{name} changed"
    new = Package(path.read_bytes())
    posted, totals = new.sheets[POSTED_SHEET], new.sheets[TOTALS_SHEET]
    assert set(after) - set(before) <= {posted, _rels_of(posted), totals, _rels_of(totals), _rels_of(lookups_sheet)} | {
        t.path for t in new.tables().values() if t.sheet in reports}

    # What it owns changed only where it may.
    for part in tables:
        _only_result_cells_changed(before[part], after[part])
    _only_appended(before, after, "[Content_Types].xml", rb"<Override\b[^>]*/>")
    _only_appended(before, after, "xl/_rels/workbook.xml.rels", rb"<Relationship\b[^>]*/>")
    _styles_only_appended(before["xl/styles.xml"], after["xl/styles.xml"])
    _workbook_part_kept(before["xl/workbook.xml"], after["xl/workbook.xml"])

    # Every XML part well-formed, nothing XML forbids; the results are what was written.
    for name, data in after.items():
        if name.endswith((".xml", ".rels", ".vml")):
            ElementTree.fromstring(data)
            assert not FORBIDDEN.search(data.decode("utf-8")), name
    ids = {row["platform_id"] for row in sandbox._db.query(
        "SELECT platform_id FROM records WHERE company_id = ? AND model = 'invoice_payments'", (NETSUITE,))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's remarks on features it does not read
        book = openpyxl.load_workbook(path)
    rows = _table(book[PAYMENTS.sheet])
    assert len(rows) == 5 and {r["status"] for r in rows} == {Status.CREATED}
    assert {r["platform_id"] for r in rows} == ids  # the sandbox's ids, the odd characters gone
    assert all(r["rootfi_id"] and isinstance(r["submitted_at"], dt.datetime) for r in rows)
    lines = _table(book[CREDIT_NOTE_LINES.sheet])
    assert lines and {r["status"] for r in lines} == {Status.CREATED}
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 5
    assert "LiveInvoices" in book[LOOKUPS_SHEET].tables and POSTED_SHEET in book.sheetnames

    if SOFFICE:
        _opens_in_libreoffice(path, tmp_path, libreoffice_profile, rows)


def test_libreoffice_is_there_to_open_the_corpus():
    """Says so, as a skip, when the corpus could not be opened in LibreOffice."""
    if not SOFFICE:
        pytest.skip(NOT_INSTALLED)
    assert FILES


def _rels_of(part: str) -> str:
    folder, name = part.rsplit("/", 1)
    return f"{folder}/_rels/{name}.rels"


def _table(ws) -> list[dict]:
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:] if any(v is not None for v in row)]


def _only_result_cells_changed(old: bytes, new: bytes) -> None:
    """A table's sheet: everything outside the rows as it was; in the rows, only result cells."""
    start, end = old.index(b"<sheetData"), old.index(b"</sheetData>")
    assert new[:start] == old[:start] and new[new.index(b"</sheetData>"):] == old[end:]
    header = re.search(rb'<row r="1".*?</row>', old, re.DOTALL).group()
    owned = {*RESULT_COLUMNS, ROW_KEY_HEADER}  # the result columns and the hidden row key
    letters = [m.group(1) for m in re.finditer(rb'<c r="([A-Z]+)1"[^>]*><is><t[^>]*>([^<]*)</t>', header)
               if m.group(2).decode() in owned]
    assert len(letters) == len(owned)
    result = re.compile(rb'<c r="(?:' + b"|".join(letters) + rb')\d+"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)

    def rows(xml: bytes) -> dict[bytes, bytes]:
        return {m.group(1): result.sub(b"", m.group()) for m in re.finditer(rb'<row r="(\d+)".*?</row>', xml, re.DOTALL)}

    assert rows(new) == rows(old)


def _only_appended(before: dict[str, bytes], after: dict[str, bytes], name: str, element: bytes) -> None:
    """A part to which the add-in only adds elements (content types, relationships)."""
    old, new = before[name], after[name]
    kept = set(re.findall(element, old))
    added = [e for e in re.findall(element, new) if e not in kept]
    stripped = new
    for e in added:
        stripped = stripped.replace(e, b"", 1)
    assert stripped == old


def _styles_only_appended(old: bytes, new: bytes) -> None:
    """Cell styles and number formats appended; every style index keeps its meaning."""
    def split(xml: bytes) -> tuple[bytes, bytes, bytes]:
        xfs = re.search(rb"<cellXfs[^>]*>(.*?)</cellXfs>", xml, re.DOTALL)
        formats = re.search(rb"<numFmts[^>]*>(.*?)</numFmts>", xml, re.DOTALL)
        rest = re.sub(rb"<cellXfs[^>]*>.*?</cellXfs>|<numFmts[^>]*>.*?</numFmts>", b"", xml, flags=re.DOTALL)
        return xfs.group(1), formats.group(1) if formats else b"", rest

    old_xfs, old_formats, old_rest = split(old)
    new_xfs, new_formats, new_rest = split(new)
    assert new_xfs.startswith(old_xfs) and new_formats.startswith(old_formats) and new_rest == old_rest


def _workbook_part_kept(old: bytes, new: bytes) -> None:
    """The workbook part: its sheets and every defined name of its own kept; only names of
    the add-in's lists and the Posted and Totals sheets' entries added or changed."""
    def names(xml: bytes) -> list[bytes]:
        return re.findall(rb"<definedName\b[^>]*>.*?</definedName>", xml, re.DOTALL)

    ours = re.compile(rb'name="(Live|Posted)')
    assert [n for n in names(old) if not ours.search(n)] == [n for n in names(new) if not ours.search(n)]
    reports = rb"(?:" + POSTED_SHEET.encode() + rb"|" + TOTALS_SHEET.encode() + rb")"
    strip = re.compile(rb"<definedNames>.*?</definedNames>|<sheet [^>]*name=\"" + reports + rb"\"[^>]*/>", re.DOTALL)
    assert strip.sub(b"", new) == strip.sub(b"", old)


def _opens_in_libreoffice(path: Path, tmp_path: Path, profile: Path, rows: list[dict]) -> None:
    """LibreOffice opens it headless (and writes its own .xlsx of it), seeing the results."""
    out = tmp_path / "libreoffice"
    done = subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={profile.as_uri()}",
                           "--convert-to", "xlsx", "--outdir", str(out), str(path)],
                          capture_output=True, text=True, timeout=180)
    converted = out / f"{path.stem}.xlsx"
    assert done.returncode == 0 and converted.exists(), done.stdout + done.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seen = _table(openpyxl.load_workbook(converted)[PAYMENTS.sheet])
    assert [(r["status"], r["platform_id"]) for r in seen] == [(r["status"], r["platform_id"]) for r in rows]
