"""The workbook file as a shared, fragile thing: links, permissions, read-only files, two
runs at once, merged cells, rows typed below a table. Results are never lost: what
cannot be written stays in the journal and the next Submit writes it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from rootfi_excel.app import submit as submitting
from rootfi_excel.cli.main import cli
from rootfi_excel.errors import WorkbookError
from rootfi_excel.sheets.layout import PAYMENTS, Status
from rootfi_excel.validation.workbook_validation import validate_workbook, write_validation
from rootfi_excel.workbook.excel import ExcelWorkbook
from rootfi_excel.sheets.port import ResultUpdate
from rootfi_excel.workbook.xlsx import XlsxWorkbook
from tests.support.books import PAYMENT_HEADERS, row_of
from tests.support.whole_save import another_program
from tests.support.broken_books import GOOD, good_book, merged_result_cells, rows_below_a_total_row, \
    rows_typed_below_the_table
from tests.support.cli_books import NETSUITE, demo_book, table_rows
from tests.support.excel_books import column, excel_book, fake_book

# ------------------------------------------------------------------------ saving the file


def test_saving_writes_through_a_symbolic_link(tmp_path):
    (tmp_path / "shared").mkdir()
    target = good_book(tmp_path / "shared", "book.xlsx")
    link = tmp_path / "my-link.xlsx"
    link.symlink_to(target)
    result = CliRunner().invoke(cli, ["validate", str(link)])
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == target  # still a link, to the same file
    assert [r["status"] for r in table_rows(target, PAYMENTS.sheet)] == [Status.VALID, Status.VALID]
    assert [p.name for p in (tmp_path / "shared").iterdir()] == ["book.xlsx"]  # no temporary left beside it


def test_saving_keeps_the_permission_bits_and_the_group(tmp_path):
    path = good_book(tmp_path, "book.xlsx")
    os.chmod(path, 0o640)
    group = os.stat(path).st_gid
    if os.geteuid() == 0:  # root can hand the file to another group, as a team folder would have it
        group = 100 if group != 100 else 101
        os.chown(path, -1, group)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    saved = os.stat(path)
    assert stat.S_IMODE(saved.st_mode) == 0o640 and saved.st_gid == group
    assert table_rows(path, PAYMENTS.sheet)[0]["status"] == Status.VALID


def test_a_read_only_workbook_is_refused_before_anything_is_sent(sandbox, api_key, tmp_path, monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=3, notes=0)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 2
    assert "book.xlsx is read-only" in result.output and "make it writable" in result.output
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 0
    assert path.read_bytes() == before


def send_then(monkeypatch, after_sending):
    """Let Submit send as usual, then run `after_sending` before it writes the results."""
    real = submitting.send_planned

    def send_planned(*args, **kwargs):
        outcome = real(*args, **kwargs)
        after_sending()
        return outcome

    monkeypatch.setattr(submitting, "send_planned", send_planned)


def test_a_workbook_made_read_only_during_submit_keeps_its_results_for_the_next_submit(sandbox, api_key, tmp_path,
                                                                                     monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=6, notes=1)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    send_then(monkeypatch, lambda: os.chmod(path, 0o444))
    first = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert first.exit_code == 2
    assert "became read-only" in first.output and "safe in this computer's journal" in first.output
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 6
    assert {r["status"] for r in table_rows(path, PAYMENTS.sheet)} == {None}  # untouched

    monkeypatch.undo()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    os.chmod(path, 0o644)
    again = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert again.exit_code == 0, again.output
    assert {r["status"] for r in table_rows(path, PAYMENTS.sheet)} == {Status.CREATED}
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 6  # written back, never sent twice


def test_content_openpyxl_could_not_write_back_is_kept(tmp_path):
    """A cell outside the tables that openpyxl can read but not write back (a 400-digit
    number): Validate, and a lookup list written, change only what they own and leave it."""
    from rootfi_excel.sheets.port import LookupTable
    from tests.support.broken_books import edited, sheet_part

    def long_number(parts):
        part = sheet_part(parts, "Settings")
        parts[part] = parts[part].replace(b"</sheetData>", b'<row r="40"><c r="Z40"><v>' + b"9" * 400
                                          + b"</v></c></row></sheetData>")

    path = edited(tmp_path, "book.xlsx", long_number)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output  # saved: only result cells were changed
    with XlsxWorkbook.open(path) as workbook:
        workbook.write_lookup_table(LookupTable("LiveThings", ["name", "id"], [["a", "1"]], {"LiveThingsIds": "id"}))
        workbook.save()
    with zipfile.ZipFile(path) as saved:
        assert any(b"9" * 400 in saved.read(name) for name in saved.namelist())
    assert openpyxl.load_workbook(path)["Lookups"].tables["LiveThings"].ref.endswith("2")


# ------------------------------------------------------------------- two runs at one time


def test_a_workbook_another_run_holds_is_refused_at_once(tmp_path):
    path = good_book(tmp_path, "book.xlsx")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from rootfi_excel.workbook.xlsx import XlsxWorkbook; "
                               f"w = XlsxWorkbook.open({str(path)!r}); print('open', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        assert holder.stdout.readline().strip() == "open"
        before = path.read_bytes()
        result = CliRunner().invoke(cli, ["validate", str(path)])
        assert result.exit_code == 2
        assert "book.xlsx is in use by another rootfi-excel run on this computer" in result.output
        assert path.read_bytes() == before
    finally:
        holder.communicate("", timeout=30)
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 0  # let go when that run ended


def test_the_second_of_two_saves_never_overwrites_the_first(tmp_path):
    path = good_book(tmp_path, "book.xlsx")
    first, second = XlsxWorkbook.open(path), XlsxWorkbook.open(path)  # one process: both may open it
    for workbook, status in ((first, "Valid"), (second, "Invalid")):
        update = ResultUpdate()
        update.set(0, status=status)
        workbook.write_results(PAYMENTS, update)
    first.save()
    with pytest.raises(WorkbookError, match="was changed by another program or run"):
        second.save()
    assert table_rows(path, PAYMENTS.sheet)[0]["status"] == "Valid"


def test_a_workbook_saved_elsewhere_during_submit_keeps_both_the_edit_and_the_results(sandbox, api_key, tmp_path,
                                                                                    monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=6, notes=1)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)

    def colleague_saves_in_excel():
        wb = openpyxl.load_workbook(path)
        wb["Instructions"]["H1"] = "checked by Sam"
        with another_program():
            wb.save(path)

    send_then(monkeypatch, colleague_saves_in_excel)
    first = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert first.exit_code == 2
    assert "was changed by another program or run" in first.output and "safe in this computer's journal" in first.output
    assert openpyxl.load_workbook(path)["Instructions"]["H1"].value == "checked by Sam"  # not overwritten
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 6
    log = Path(os.environ["ROOTFI_EXCEL_HOME"]) / "logs" / "rootfi-excel.log"
    assert "Cannot save the results into book.xlsx" in log.read_text()

    monkeypatch.undo()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    again = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert again.exit_code == 0, again.output
    assert {r["status"] for r in table_rows(path, PAYMENTS.sheet)} == {Status.CREATED}
    assert openpyxl.load_workbook(path)["Instructions"]["H1"].value == "checked by Sam"
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 6


# -------------------------------------------------------------------------- merged cells


def test_merged_result_cells_stop_submit_before_anything_is_sent(sandbox, api_key, tmp_path, monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=4, notes=0)
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    message = next(c.column_letter for c in ws[1] if c.value == "message")
    ws.merge_cells(f"{message}3:{message}4")
    wb.save(path)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 2
    assert f"cells {message}3:{message}4 are merged over the 'message' column" in result.output
    assert "Unmerge" in result.output
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 0


def test_a_number_merged_over_a_credit_notes_lines_applies_to_each_line(sandbox, api_key, tmp_path, monkeypatch):
    """As people do: one credit note's document_number merged over its lines. Each line is
    that credit note's line (one credit note, sent once), and every row gets its result."""
    from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES

    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=0, notes=3)
    wb = openpyxl.load_workbook(path)
    ws = wb[CREDIT_NOTE_LINES.sheet]
    headers = [c.value for c in ws[1]]
    number = headers.index("document_number") + 1
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, number).value]
    lines: dict[str, list[int]] = {}
    for r in rows:
        lines.setdefault(ws.cell(r, number).value, []).append(r)
    merged_note, merged_rows = next((n, rs) for n, rs in lines.items() if len(rs) > 1)
    letter = ws.cell(1, number).column_letter
    ws.merge_cells(f"{letter}{merged_rows[0]}:{letter}{merged_rows[-1]}")  # the other cells are emptied
    wb.save(path)
    assert [openpyxl.load_workbook(path)[CREDIT_NOTE_LINES.sheet].cell(r, number).value for r in merged_rows[1:]] \
        == [None] * (len(merged_rows) - 1)

    validated = CliRunner().invoke(cli, ["validate", str(path)])
    assert validated.exit_code == 0, validated.output
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert sandbox.count_records(NETSUITE, "invoice_credit_notes") == len(lines)  # one per number, none split
    written = table_rows(path, CREDIT_NOTE_LINES.sheet)
    ids = {written[r - 2]["rootfi_id"] for r in merged_rows}
    assert len(ids) == 1 and None not in ids  # every line of the merged number: the same credit note
    assert {row["status"] for row in written} == {Status.CREATED}
    assert f"{letter}{merged_rows[0]}:{letter}{merged_rows[-1]}" in \
        [str(m) for m in openpyxl.load_workbook(path)[CREDIT_NOTE_LINES.sheet].merged_cells.ranges]  # kept


def test_merged_result_cells_are_refused_for_the_true_reason(tmp_path):
    path = merged_result_cells(tmp_path)
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 2
    assert "where each row gets its own result" in result.output and "Unmerge" in result.output
    assert path.read_bytes() == before


def test_live_excel_a_value_merged_over_input_rows_applies_to_each_row_and_merged_results_are_refused():

    rows = [row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"P-{i}", "amount": 10 + i}) for i in range(4)]
    book = fake_book(rows)
    sheet = book.sheets[PAYMENTS.sheet]
    table = sheet.tables[0]
    date = table.left + PAYMENT_HEADERS.index("payment_date")
    sheet.merge(table.top + 2, date, table.top + 4, date)  # rows 2-4's date: one merged cell
    workbook = ExcelWorkbook(book)
    read = workbook.read_table(PAYMENTS)
    dates = [row[PAYMENT_HEADERS.index("payment_date")] for row in read.rows]
    assert dates[1:] == [dates[1]] * 3 and dates[1] is not None
    write_validation(workbook, validate_workbook(workbook))
    assert column(book, "status") == [Status.VALID] * 4  # found again after the spread: every row written
    assert not workbook.unplaced

    book = fake_book(rows)
    sheet = book.sheets[PAYMENTS.sheet]
    table = sheet.tables[0]
    message = table.left + len(PAYMENT_HEADERS) + 5  # status, rootfi_id, platform_id, sync_id, submitted_at, message
    sheet.merge(table.top + 2, message, table.top + 3, message)
    with pytest.raises(WorkbookError) as refused:
        validate_workbook(ExcelWorkbook(book))
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(message)
    assert str(refused.value).startswith(f"Sheet '{PAYMENTS.sheet}': cells {letter}{table.top + 2}:{letter}{table.top + 3} ")
    assert "merged over the 'message' column, where each row gets its own result" in str(refused.value)


def test_live_excel_looks_for_merged_cells_in_one_call_when_there_are_none():

    def calls(rows: int) -> int:
        book = fake_book([row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": f"P-{i}"}) for i in range(rows)])
        before = book.calls
        ExcelWorkbook(book).read_table(PAYMENTS)
        return book.calls - before

    assert calls(3) == calls(3000)


def test_merged_cells_elsewhere_do_no_harm(tmp_path):
    path = merged_result_cells(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    ws.unmerge_cells(next(iter(ws.merged_cells.ranges)).coord)
    ws.merge_cells("Z1:AB3")  # a note beside the table
    wb.save(path)
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 0


# ------------------------------------------------------------- rows typed below a table


def test_rows_typed_below_the_table_are_validated_and_the_table_grows_over_them(tmp_path):
    path = rows_typed_below_the_table(tmp_path)  # table rows 2-3, rows 4-5 typed below it
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "Invoice Payments: the table was extended over rows 4-5 typed below it" in result.output
    assert "Invoice Payments: 4 rows (4 valid)" in result.output
    table = openpyxl.load_workbook(path)[PAYMENTS.sheet].tables[PAYMENTS.table]
    assert table.ref.endswith("5") and table.autoFilter.ref == table.ref
    assert [r["status"] for r in table_rows(path, PAYMENTS.sheet)] == [Status.VALID] * 4
    again = CliRunner().invoke(cli, ["validate", str(path)])
    assert "extended" not in again.output  # now they are in the table


def test_an_invalid_row_typed_below_the_table_is_not_reported_as_valid(tmp_path):
    path = good_book(tmp_path, "book.xlsx")
    wb = openpyxl.load_workbook(path)
    wb[PAYMENTS.sheet].append(row_of(PAYMENT_HEADERS, **{**GOOD, "document_number": "P-9", "amount": -5}))
    wb.save(path)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "All rows are valid" not in result.output and "row 4: amount: must be above zero" in result.output


def test_rows_below_a_total_row_are_refused_naming_them(tmp_path):
    result = CliRunner().invoke(cli, ["validate", str(rows_below_a_total_row(tmp_path))])
    assert result.exit_code == 2
    assert "row 5 are below the table's total row" in result.output or "row 5 is below" in result.output


def test_rows_typed_below_the_table_are_submitted_too(sandbox, api_key, tmp_path, monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=7, notes=0)
    wb = openpyxl.load_workbook(path)
    table = wb[PAYMENTS.sheet].tables[PAYMENTS.table]
    table.ref = table.ref[: table.ref.rindex(":") + 1] + "".join(c for c in table.ref.split(":")[1] if c.isalpha()) + "6"
    table.autoFilter.ref = table.ref  # the table holds rows 2-6; rows 7-8 were typed (pasted) below it
    wb.save(path)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert result.output.index("the table was extended over rows 7-8 typed below it") < result.output.index("to send")
    rows = table_rows(path, PAYMENTS.sheet)
    assert len(rows) == 7 and {r["status"] for r in rows} == {Status.CREATED}
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 7


# ---- the same in live Excel (the fake of xlwings)

def test_live_excel_rows_typed_below_the_table_are_read_and_the_table_resized():
    book, table = excel_book(rows=2, below=3)  # table header row 3, rows 4-5; typed rows 6-8
    workbook = ExcelWorkbook(book)
    report = validate_workbook(workbook)
    write_validation(workbook, report)
    assert workbook.notices == ["Invoice Payments: the table was extended over rows 6-8 typed below it"]
    assert table.count == 5
    statuses = [book.sheets[PAYMENTS.sheet].cells.get((r, table.left + len(PAYMENT_HEADERS))) for r in range(4, 9)]
    assert statuses == [Status.VALID] * 5
    assert report.sheets[PAYMENTS.key].results[4].row_number == 8


def test_live_excel_calls_stay_the_same_however_many_rows_are_below():
    def calls(below: int) -> int:
        book, _ = excel_book(rows=3, below=below)
        workbook = ExcelWorkbook(book)
        write_validation(workbook, validate_workbook(workbook))
        return book.calls

    assert calls(5) == calls(600)


def test_live_excel_rows_below_a_total_row_are_refused():
    book, table = excel_book(rows=2, below=1, totals=True)
    with pytest.raises(WorkbookError, match="row 7 are below the table's total row"):
        validate_workbook(ExcelWorkbook(book))
    assert table.count == 2


def test_a_formula_in_a_result_cell_stops_submit_before_anything_is_sent(sandbox, api_key, tmp_path, monkeypatch):
    path = demo_book(tmp_path / "book.xlsx", sandbox, api_key, payments=4, notes=0)
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYMENTS.sheet]
    cell = ws.cell(3, next(c.column for c in ws[1] if c.value == "platform_id"))
    cell.value = '=CONCAT("P-", A3)'
    wb.save(path)
    before = path.read_bytes()
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)
    result = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert result.exit_code == 2
    assert f"cell {cell.coordinate} (the 'platform_id' column) holds a formula" in result.output
    assert "clear that cell" in result.output
    assert sandbox.count_records(NETSUITE, "invoice_payments") == 0 and path.read_bytes() == before


def test_live_excel_spreads_a_merged_value_on_a_sheet_without_an_excel_table():
    from tests.support.fake_xlwings import FakeBook
    from rootfi_excel.sheets.layout import RESULT_COLUMNS

    book = FakeBook()
    sheet = book.add_sheet(PAYMENTS.sheet)
    sheet.put(2, 2, [PAYMENT_HEADERS + list(RESULT_COLUMNS), ["P-1", "INV-1", None, None, 5], ["P-2", None, None, None, 6]])
    sheet.merge(3, 3, 4, 3)  # the invoice merged over both rows
    table = ExcelWorkbook(book).read_table(PAYMENTS)
    assert [row[1] for row in table.rows] == ["INV-1", "INV-1"]
