"""Validate a whole workbook through a port: read settings and both sheets, validate,
and write status and message into the result columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rootfi_excel.errors import JournalError
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.messages import plural
from rootfi_excel.sheets.layout import MESSAGE, MODEL_OF_TABLE, ROW_KEY, STATUS, SUBMITTED_AT, SYNC_ID, TABLES, Status
from rootfi_excel.sheets.settings import BLANK_COMPANY_ID, Overrides, WorkbookSettings
from rootfi_excel.sheets.workbook_settings import read_workbook_settings
from rootfi_excel.submission.journal import Journal, default_path, fingerprint, refused_before, was_refused
from rootfi_excel.validation.online import check_online
from rootfi_excel.validation.validate import SheetValidation, validate_table
from rootfi_excel.sheets.port import ResultUpdate, WorkbookPort


@dataclass
class WorkbookValidation:
    settings: WorkbookSettings
    sheets: dict[str, SheetValidation]  # layout key -> validation
    problems: list[str] = field(default_factory=list)  # settings and Integration Fields rows
    notes: list[str] = field(default_factory=list)  # not errors: e.g. the lookups' age (validation/online.py)
    totals: Any = None  # app/totals.WorkbookTotals: the Totals sheet as Validate left it

    @property
    def rows(self) -> int:
        return sum(len(s.results) for s in self.sheets.values())

    @property
    def all_valid(self) -> bool:
        """Ready to submit: rows to send, none invalid, and no problem with the workbook."""
        return not self.problems and self.rows > 0 and all(s.count(Status.INVALID) == 0 for s in self.sheets.values())

    @property
    def refused(self) -> int:
        """Rows the platform refused at an earlier Submit and not changed since (keep_refusals)."""
        return sum(s.count(Status.FAILED) for s in self.sheets.values())

    def verdict(self) -> str:
        """The last line a person reads after Validate."""
        if self.all_valid and not self.refused:
            return "All rows are valid."
        if self.all_valid:
            return ("The rows marked Failed were refused by the platform at an earlier Submit and are unchanged: "
                    "correct them (their message says why), then submit. The other rows are valid.")
        if any(s.count(Status.INVALID) for s in self.sheets.values()):
            return "Fix the rows marked Invalid (the message names the column), then validate again."
        return "Nothing is ready to submit: see above, then validate again."

    def summary_lines(self) -> list[str]:
        lines = []
        for sheet in self.sheets.values():
            counts = [f"{sheet.count(s)} {s.lower()}" for s in Status.ALL if sheet.count(s)]
            lines.append(f"{sheet.layout.sheet}: {plural(len(sheet.results), 'row')}"
                         + (f" ({', '.join(counts)})" if counts else "")
                         + (f", {plural(len(sheet.units), 'credit note')}" if sheet.layout.key == "credit_note_lines"
                            else ""))
        return lines + self.notes


def validate_workbook(port: WorkbookPort, overrides: Overrides | None = None, *, client: Any = None,
                      connect: Any = None) -> WorkbookValidation:
    """Validate as the Validate button does: besides the rows, say what stops a Submit
    that the rows do not show (a blank company_id, no rows at all).

    overrides: the command line's --base-url/--company/--profile (sheets.settings.Overrides),
    applied to the Settings as every command applies them, so the same lookups are found.
    client, connect: see validation.online.check_online (references read by id without a cache)."""
    settings, book, problems = read_workbook_settings(port, overrides)
    if settings.company_id is None and not any(p.startswith("Settings: company_id") for p in problems):
        problems.append(BLANK_COMPANY_ID)  # not in read_settings: submit --company may supply it
    report = validate_with(port, settings, book, problems, client=client, connect=connect)
    keep_refusals(report)
    if not report.rows:
        sheets = " and ".join(f"'{s.layout.sheet}'" for s in report.sheets.values())
        report.problems.append(f"No rows to validate: {sheets} are empty. Type or paste your payments and "
                               "credit-note lines, then validate again.")
    return report


def validate_with(port: WorkbookPort, settings: WorkbookSettings, book: RequirementBook,
                  problems: list[str], *, client: Any = None, connect: Any = None,
                  sending: bool = False) -> WorkbookValidation:
    """Validate both sheets with settings already read (and perhaps overridden)."""
    sheets = {key: validate_table(layout, port.read_table(layout), settings, book) for key, layout in TABLES.items()}
    report = WorkbookValidation(settings, sheets, problems)
    # References against the lookup cache; without one, by id through the client.
    check_online(report, client=client, connect=connect, sending=sending)
    return report


def write_validation(port: WorkbookPort, report: WorkbookValidation,
                     keys: dict[str, dict[int, str]] | None = None) -> None:
    """Write status and message of every non-blank row, one block per sheet, with the row
    keys given (table key -> row index -> key; submission/row_keys.py). A row emptied of
    its inputs takes its results (and its row key) with it: its owned cells are cleared.
    A row that showed a refused attempt and is no longer Failed (it was changed) loses that
    attempt's submitted_at and sync_id: they would date a Valid row by a Submit that refused it."""
    for key, sheet in report.sheets.items():
        update = ResultUpdate()
        for index, result in sheet.results.items():
            update.set(index, **{STATUS: result.status, MESSAGE: result.message})
            if result.shows_refused_attempt and result.status != Status.FAILED:
                update.set(index, **{SUBMITTED_AT: None, SYNC_ID: None})
        for index, row_key in (keys or {}).get(key, {}).items():
            update.set(index, **{ROW_KEY: row_key})
        owned = list(sheet.columns.results) if sheet.columns is not None else []
        for index in sheet.emptied:
            update.set(index, **{name: None for name in owned})
        port.write_results(sheet.layout, update)


def refusals(report: WorkbookValidation, journal: Journal) -> dict[str, dict[int, str]]:
    """Valid rows whose exact record the platform refused at an earlier Submit (from the
    journal): sheet key -> row index -> the platform's reason, as Submit wrote it."""
    settings = report.settings
    if settings.company_id is None or not settings.base_url:
        return {}
    found: dict[str, dict[int, str]] = {}
    for key, sheet in report.sheets.items():
        units = {fingerprint(settings.base_url, settings.company_id, MODEL_OF_TABLE[key], u.request.to_api()): u
                 for u in sheet.ready if u.request is not None}
        for print_, attempt in journal.latest(units).items():
            if was_refused(attempt):
                for row in units[print_].rows:
                    found.setdefault(key, {})[row.index] = refused_before(attempt)
    return found


def keep_refusals(report: WorkbookValidation, journal_path=None) -> None:
    """Validate after a Submit keeps the platform's reason of a refused row (status Failed)
    until the row is changed: a Valid with an empty message would hide why it failed."""
    path = journal_path or default_path()
    if not path.exists():
        return  # nothing was ever submitted from this computer
    try:
        with Journal(path) as journal:
            found = refusals(report, journal)
    except JournalError:
        return  # Submit says what is wrong with the journal; Validate still checks the rows
    for key, rows in found.items():
        results = report.sheets[key].results
        for index, message in rows.items():
            results[index].status, results[index].message = Status.FAILED, message
