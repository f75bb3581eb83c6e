"""Clear results: empty the result columns of the selected rows (or all rows).

Input columns are never touched. A row's rootfi_id is what stops Submit from sending it
again, so a Created row (one with a rootfi_id) is cleared only after a second, explicit
yes; without it those rows are left exactly as they are. Clearing a created row's
rootfi_id clears its hidden row key too: the journal knows the row by it and would
write the record back; without it the row is a new one, which Submit holds while it
looks like that record until the platform shows the record deleted.
"""

from __future__ import annotations

from rootfi_excel.app.selection import Selection
from rootfi_excel.app.ui import UserInterface
from rootfi_excel.messages import plural
from rootfi_excel.sheets.layout import RESULT_COLUMNS, ROOTFI_ID, ROW_KEY, STATUS, TABLES, Status
from rootfi_excel.sheets.port import ResultUpdate, WorkbookPort, result_positions


def clear_results(port: WorkbookPort, ui: UserInterface, selection: Selection | None = None) -> int:
    """Clear after confirmation; returns how many rows were cleared."""
    filled: dict[str, list[int]] = {}  # table key -> rows with something in a result column
    created: dict[str, set[int]] = {}
    columns: dict[str, list[str]] = {}
    keyed: set[str] = set()  # tables with a row_key column
    for key, layout in TABLES.items():
        table = port.read_table(layout)
        found = result_positions(layout, table.headers)
        if ROW_KEY in found:
            keyed.add(key)
        positions = {name: p for name, p in found.items() if name in RESULT_COLUMNS}  # never an input column
        columns[key] = list(positions)
        chosen = sorted(selection.get(key, set())) if selection is not None else range(len(table.rows))
        rows = [table.rows[i] for i in chosen if i < len(table.rows)]
        filled[key] = [i for i, row in zip(chosen, rows)
                       if any(not _blank(row[p]) for p in positions.values() if p < len(row))]
        created[key] = {i for i, row in zip(chosen, rows) if _is_created(row, positions)}
    count = sum(len(rows) for rows in filled.values())
    if not count:
        where = "the selected rows" if selection is not None else "the workbook"
        ui.tell(f"There are no results to clear in {where}.")
        return 0
    rows_meant = (f"the {plural(count, 'selected row')}" if selection is not None
                  else "the one row that has results" if count == 1 else f"all {count} rows that have results")
    details = [f"{TABLES[key].sheet}: {plural(len(rows), 'row')}" for key, rows in filled.items() if rows]
    if not ui.confirm(f"Clear the results (status, message, ids) of {rows_meant}? "
                      "The columns you filled in are not touched.", details):
        ui.tell("Nothing was cleared.")
        return 0
    keep = {key: set(rows) for key, rows in created.items()}
    done_before = sum(len(rows) for rows in keep.values())
    if done_before and ui.confirm(
            f"{done_before} of these rows were created in the accounting platform. Their rootfi_id is what "
            "stops Submit from sending them again.\n\nClear their rootfi_id too? Say Yes only if those records "
            "were deleted in the platform and must be sent again."):
        keep = {key: set() for key in keep}
    cleared = 0
    for key, layout in TABLES.items():
        update = ResultUpdate()
        for index in filled[key]:
            if index not in keep[key]:
                update.set(index, **{column: None for column in columns[key]})
                if index in created[key] and key in keyed:  # a new row from now on (see above)
                    update.set(index, **{ROW_KEY: None})
        cleared += len(update.values)
        port.write_results(layout, update)
    port.save()
    kept = sum(len(rows) for rows in keep.values())
    ui.tell(f"Cleared the results of {plural(cleared, 'row')}."
            + (f" {kept} created rows were left as they are." if kept else ""))
    return cleared


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_created(row: list, positions: dict[str, int]) -> bool:
    def cell(name: str) -> object:
        position = positions.get(name)
        return row[position] if position is not None and position < len(row) else None

    return not _blank(cell(ROOTFI_ID)) or cell(STATUS) == Status.CREATED
