"""Write small real .xlsx workbooks with openpyxl, the way a person's workbook looks:
a sheet per table with an Excel Table over it, a Settings table, and whatever else."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from rootfi_excel.sheets.layout import (
    CREDIT_NOTE_LINES,
    INTEGRATION_FIELDS_SHEET,
    INTEGRATION_FIELDS_TABLE,
    PAYMENTS,
    RESULT_COLUMNS,
    ROW_KEY_HEADER,
    SETTINGS_SHEET,
    WORKBOOK_ID,
    SETTINGS_TABLE,
    normalize_header,
)

PAYMENT_HEADERS = [c.name for c in PAYMENTS.columns]
LINE_HEADERS = [c.name for c in CREDIT_NOTE_LINES.columns]


def add_table(wb: Workbook, sheet: str, table: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    ws = wb.create_sheet(sheet)
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    ref = f"A1:{get_column_letter(len(headers))}{1 + max(len(rows), 1)}"
    excel_table = Table(displayName=table, ref=ref)
    excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(excel_table)


def row_of(headers: Sequence[str], **values: Any) -> list[Any]:
    """A row for `headers` from field values given by name."""
    return [values.get(h) for h in headers]


def write_book(path: Path, *, payments: tuple[Sequence[str], Sequence[Sequence[Any]]] | None = None,
               credit_notes: tuple[Sequence[str], Sequence[Sequence[Any]]] | None = None,
               settings: dict[str, Any] | None = None,
               integration_fields: Sequence[dict[str, Any]] = (), keys: bool = True) -> Path:
    """A workbook with both data tables (headers + rows; result columns added when absent).
    With keys (as the template makes it today): the hidden row_key column at each table's
    right edge and a blank workbook_id row in Settings; keys=False: a workbook from before."""
    wb = Workbook()
    wb.remove(wb.active)
    for layout, data, default in ((PAYMENTS, payments, PAYMENT_HEADERS), (CREDIT_NOTE_LINES, credit_notes, LINE_HEADERS)):
        headers, rows = data if data else (default, [])
        headers = list(headers)
        present = {normalize_header(h).replace("_", "") for h in headers}
        missing = [c for c in RESULT_COLUMNS if c.replace("_", "") not in present]
        if keys and not any(normalize_header(h) in ("row_key", normalize_header(ROW_KEY_HEADER)) for h in headers):
            missing.append(ROW_KEY_HEADER)
        rows = [list(r) + [None] * (len(headers) - len(r)) + [None] * len(missing) for r in rows]
        add_table(wb, layout.sheet, layout.table, headers + missing, rows)
    defaults = {"company_id": 1001, "date_order": "DMY", "decimal_separator": "."}
    if keys:
        defaults[WORKBOOK_ID] = None
    settings_rows = [[k, v] for k, v in {**defaults, **(settings or {})}.items()]
    add_table(wb, SETTINGS_SHEET, SETTINGS_TABLE, ["setting", "value"], settings_rows)
    fields = [[f.get("model"), f.get("integration"), f.get("field"), f.get("type"), f.get("description")]
              for f in integration_fields]
    add_table(wb, INTEGRATION_FIELDS_SHEET, INTEGRATION_FIELDS_TABLE,
              ["model", "integration", "field", "type", "description"], fields)
    wb.save(path)
    return path
