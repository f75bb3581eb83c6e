"""Every row gets a key, and the workbook an id, the first time Validate or Submit sees them.

A key is a random id in a hidden cell at the table's right edge (sheets/layout.ROW_KEY);
it moves with its row when rows are sorted, inserted, deleted, filtered, cut and pasted,
and stays when the workbook is renamed, moved or saved under another name. The journal
keys each attempt by (workbook id, sheet, row key), so a result goes only to its row.

A row pasted from another row carries that row's key. Two rows with one key are told
apart here: the row whose record the journal has under that key (same fingerprint)
keeps it, and the others get new keys (when the journal has a record under it but none
of them is that record, all of them do: Submit holds those that look like it); rows
with the same values keep the key, and Validate flags the later one as a copy. A row
showing a record (its rootfi_id) gets that record's key back, whatever its key cell
says (cleared, typed over, or the rootfi_id typed in by a person: "this row is that
record"). A key from another workbook (pasted from it) names nothing here: the journal
knows keys per workbook id. A row marked `send anyway` whose key the journal knows is
given a new key: it is a new record by the person's word. A row emptied of its inputs
loses its key (validation/workbook_validation.write_validation).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rootfi_excel.sheets.ids import new_key, new_keys, new_workbook_id
from rootfi_excel.sheets.layout import MODEL_OF_TABLE, ROW_KEY, STATUS
from rootfi_excel.submission.journal import FAILED, Journal, fingerprint
from rootfi_excel.sheets.port import ResultUpdate
from rootfi_excel.sheets.records import ParsedRow
from rootfi_excel.validation.workbook_validation import WorkbookValidation
from rootfi_excel.validation.validate import marked_send_anyway


@dataclass
class Keying:
    """What assign() changed: a new workbook id to write (None: it had one), new keys by sheet."""

    workbook_id: str | None = None
    rows: dict[str, dict[int, str]] = field(default_factory=dict)  # table key -> row index -> its new key

    def __bool__(self) -> bool:
        return bool(self.workbook_id or any(self.rows.values()))


def assign(report: "WorkbookValidation", journal: Journal | None = None) -> Keying:
    """Give keyless rows a key (and the workbook an id), tell rows that share a key apart.
    The parsed rows get their keys at once; app/submit.write_keys puts them into the workbook."""
    settings = report.settings
    keying = Keying()
    if not settings.workbook_id:
        settings.workbook_id = keying.workbook_id = new_workbook_id()
    for key, sheet in report.sheets.items():
        changes: dict[int, str] = {}
        claimed = _keys_of_shown_records(report, key, journal) if journal is not None else {}

        def give(row: "ParsedRow", row_key: str) -> None:
            row.results[ROW_KEY] = changes[row.index] = row_key

        first: dict[str, ParsedRow] = {}
        shared: dict[str, list[ParsedRow]] = {}
        keyless: list[ParsedRow] = []
        marked: dict[int, Any] = {}
        for unit in sheet.units:  # one pass: a sheet may have 50,000 rows
            for row in unit.rows:
                results = row.results
                row_key = results.get(ROW_KEY)
                if claimed and claimed.get(row.index) not in (None, row_key):
                    row_key = claimed[row.index]
                    give(row, row_key)
                if not row_key:
                    keyless.append(row)
                elif row_key in first:
                    shared.setdefault(row_key, [first[row_key]]).append(row)
                else:
                    first[row_key] = row
                status = results.get(STATUS)
                if status is not None and marked_send_anyway(status):
                    marked[id(unit)] = unit
        for row_key, group in shared.items():
            keeper = next((row for row in group if claimed.get(row.index) == row_key), None) or \
                _keeper(report, key, row_key, group, journal)
            for row in group:
                if keeper is None or (row is not keeper and _values(row) != _values(keeper)):
                    give(row, new_key())
        anyway = [unit for unit in marked.values() if unit.keys and unit.request is not None]
        if anyway and journal is not None:
            for unit in _new_by_their_word(report, key, anyway, journal):
                for row in unit.rows:
                    give(row, new_key())
        for row, fresh in zip(keyless, new_keys(len(keyless))):
            give(row, fresh)
        if changes:
            keying.rows[key] = changes
    return keying


def add_to(update: ResultUpdate, keying: Keying, table_key: str) -> None:
    """Merge a sheet's new keys into an update about to be written (one write for both)."""
    for index, row_key in keying.rows.get(table_key, {}).items():
        update.set(index, **{ROW_KEY: row_key})


def _new_by_their_word(report: "WorkbookValidation", table_key: str, units: list, journal: Journal) -> list:
    """The units marked `send anyway` whose key the journal knows: a new identity for them, so
    their earlier records no longer decide. Not a unit whose own record has its very values:
    that row is that record (the mark came too late, or from an older message), written back."""
    settings = report.settings
    if settings.company_id is None or not settings.base_url:
        return []
    model = MODEL_OF_TABLE[table_key]
    attempts = journal.of_keys(settings.base_url, settings.company_id, model, settings.workbook_id, table_key,
                               [k for unit in units for k in unit.keys])
    by_key: dict[str, list] = defaultdict(list)
    for attempt in attempts:
        for row_key in attempt.keys:
            by_key[row_key].append(attempt)
    chosen = []
    for unit in units:
        own = [a for k in unit.keys for a in by_key.get(k, [])]
        printed = fingerprint(settings.base_url, settings.company_id, model, unit.request.to_api())
        if own and not any(a.fingerprint == printed and a.state != FAILED for a in own):
            chosen.append(unit)
    return chosen


def _keys_of_shown_records(report: "WorkbookValidation", table_key: str, journal: Journal) -> dict[int, str]:
    """{row index: key} for payment rows that show a record (rootfi_id) the journal made: the
    row showing a record is that record's row, whatever else has its key (a copy of it) and
    whatever its key cell says (cleared, typed over, or the rootfi_id typed in by a person:
    "this row is that record")."""
    settings = report.settings
    if table_key != "payments" or settings.company_id is None or not settings.base_url:
        return {}  # (a credit note's lines cannot be told apart by the record alone)
    model = MODEL_OF_TABLE[table_key]
    shown = [row for unit in report.sheets[table_key].units for row in unit.rows if row.rootfi_id]
    if not shown:
        return {}
    ids_of: dict[str, set[str]] = defaultdict(set)
    for attempt in journal.of_keys(settings.base_url, settings.company_id, model, settings.workbook_id, table_key,
                                   [row.key for row in shown if row.key]):
        for row_key in attempt.keys:
            ids_of[row_key].add(str(attempt.rootfi_id))
    strays = [row for row in shown if str(row.rootfi_id) not in ids_of.get(row.key, ())]
    found = journal.with_rootfi_ids(settings.base_url, settings.company_id, model, [row.rootfi_id for row in strays])
    claimed = {row.index: row.key for row in shown if str(row.rootfi_id) in ids_of.get(row.key, ())}
    for row in strays:
        attempt = found.get(str(row.rootfi_id))
        if attempt is not None and attempt.row_key and attempt.workbook_id == settings.workbook_id \
                and attempt.sheet == table_key:
            claimed[row.index] = attempt.row_key
    return claimed


def _keeper(report: "WorkbookValidation", table_key: str, row_key: str, group: list["ParsedRow"],
            journal: Journal | None) -> "ParsedRow | None":
    """Of rows sharing a key, the one whose record the journal has under that key; the first
    when the journal has nothing under it; None when it has, but none of them is that record
    (every one is then a new row, and Submit holds those that look like it)."""
    settings = report.settings
    if journal is None or settings.company_id is None or not settings.base_url:
        return group[0]
    model = MODEL_OF_TABLE[table_key]
    sent = {a.fingerprint for a in journal.of_keys(settings.base_url, settings.company_id, model,
                                                   settings.workbook_id, table_key, [row_key])}
    if not sent:
        return group[0]
    units = {row.index: unit for unit in report.sheets[table_key].units for row in unit.rows}
    for row in group:
        unit = units.get(row.index)
        if unit is not None and unit.request is not None and fingerprint(
                settings.base_url, settings.company_id, model, unit.request.to_api()) in sent:
            return row
    return None


def _values(row: "ParsedRow") -> tuple:
    """A row's input values, to tell a copy from a changed row."""
    return (sorted((k, repr(v)) for k, v in row.values.items()), sorted((k, repr(v)) for k, v in row.raw_data.items()))
