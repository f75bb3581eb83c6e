"""The engine's side of submitting a workbook: check the company, plan (what the journal
leaves to send), send through the engine, and note in the journal which records reached
their rows. It reads the rows through validation and never writes the workbook: reading
the settings, asking, and writing keys and results back is app/submit.py's.

Whatever stops a run, the outcomes gathered so far are kept here (WorkbookSubmission),
for app/submit.py to write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from rootfi_excel.api.answers import Company
from rootfi_excel.api.client import RootFiClient
from rootfi_excel.errors import SubmitAborted
from rootfi_excel.fields.integrations import RequirementBook, canonical_integration
from rootfi_excel.messages import platform, stopped_before_sending
from rootfi_excel.sheets.layout import TABLES, Status
from rootfi_excel.submission import row_keys
from rootfi_excel.submission.engine import (
    POSSIBLE_DUPLICATE,
    TWIN_CHECK_FAILED,
    Outcome,
    ReadOnlyJournal,
    SubmitOptions,
    Submitter,
)
from rootfi_excel.submission.journal import PLACED_ROW, Journal
from rootfi_excel.sheets.settings import WorkbookSettings
from rootfi_excel.validation.workbook_validation import WorkbookValidation, validate_with
from rootfi_excel.validation.validate import SheetValidation
from rootfi_excel.sheets.port import WorkbookPort

MODEL_OF_TABLE = row_keys.MODEL_OF_TABLE
HEALTHY = "HEALTHY"


@dataclass
class Plan:
    """What a Submit is about to do, shown before anything is sent."""

    company: Company
    to_send: dict[str, int]  # sheet name -> new units to send (count_plan: what the journal leaves to send)
    invalid_rows: int
    already_created_rows: int  # rows that show Created, and records the journal has for a row (count_plan)
    refused_rows: int = 0  # refused by the platform before and unchanged: not sent again (app.submit)
    to_collect: dict[str, int] = field(default_factory=dict)  # sheet name -> answers of earlier runs to collect
    held: dict[str, int] = field(default_factory=dict)  # sheet name -> units held (they look like a record made before)


@dataclass
class WorkbookSubmission:
    validation: WorkbookValidation
    plan: Plan | None = None
    outcomes: dict[str, dict[int, Outcome]] = field(default_factory=dict)  # sheet key -> row index -> outcome
    requests_used: int = 0
    aborted: str | None = None  # why sending stopped early; what was settled before is still written
    error: BaseException | None = None  # the unexpected error that stopped it (raise it once results are saved)
    warnings: list[str] = field(default_factory=list)  # checks that could not run, for the summary
    # Every unit of each sheet (sheet key -> units), also those a selection left out: the
    # engine must know every row's key, and the records rows show (identity.py).
    all_units: dict[str, list[Any]] = field(default_factory=dict)
    keying: row_keys.Keying = field(default_factory=row_keys.Keying)  # keys given now, written before sending

    def count(self, status: str) -> int:
        rows = 0
        for key, sheet in self.validation.sheets.items():
            outcomes = self.outcomes.get(key, {})
            for index, result in sheet.results.items():
                current = outcomes[index].status if index in outcomes else result.status
                rows += current == status
        return rows

    def flagged(self, flag: str) -> int:
        """Rows of this run flagged for a person's look (POSSIBLE_DUPLICATE, TWIN_CHECK_FAILED)."""
        return sum(outcome.flag == flag for outcomes in self.outcomes.values() for outcome in outcomes.values())

    @property
    def possible_duplicates(self) -> int:
        return self.flagged(POSSIBLE_DUPLICATE)

    @property
    def needs_attention(self) -> bool:
        """Something a person must look at even though every row may say Created."""
        return bool(self.possible_duplicates or self.flagged(TWIN_CHECK_FAILED) or self.warnings)


def check_company(client: RootFiClient, settings: WorkbookSettings) -> Company:
    """The company must exist, be connected, and be on the integration the workbook says."""
    if settings.company_id is None:
        raise SubmitAborted("Settings: company_id is empty; fill in your RootFi company id (or pass --company).")
    company = client.get_company(settings.company_id)
    status = (company.connection_status or "").upper()
    if status and status != HEALTHY:
        raise SubmitAborted(
            f"Company {settings.company_id} is {status} on RootFi, not connected: reconnect "
            f"{platform(company.integration) if company.integration else 'its platform'} in RootFi, then submit "
            "again. Nothing was sent."
        )
    actual = canonical_integration(company.integration)
    if settings.integration and actual and settings.integration != actual:
        raise SubmitAborted(
            f"Settings says the integration is {platform(settings.integration)} ({settings.integration}), but company "
            f"{settings.company_id} is connected to {platform(actual)} ({actual}). Correct the integration (or the "
            "company id) in Settings. Nothing was sent."
        )
    return company


def plan_submission(client: RootFiClient, port: WorkbookPort, settings: WorkbookSettings,
                    requirements: RequirementBook, problems: list[str], *,
                    select: Callable[[WorkbookValidation], WorkbookValidation] | None = None,
                    journal: Journal | None = None) -> WorkbookSubmission:
    """Check the company, validate against its integration, count what would be sent. Sends nothing.

    `select` narrows the validated workbook to the rows to submit (Submit selected rows).
    With a journal, every row gets its key and the workbook its id (row_keys.assign; written
    by app/submit.write_keys), and the count says what the journal leaves to send (count_plan)."""
    company = check_company(client, settings)
    settings.integration = settings.integration or canonical_integration(company.integration)
    # Without lookups on this computer, the ids are read from the platform just before they
    # are sent (submission/references.py), only for what is sent: not here as well.
    report = validate_with(port, settings, requirements, problems, sending=True)
    keying = row_keys.assign(report, journal) if journal is not None else row_keys.Keying()
    all_units = {key: sheet.units for key, sheet in report.sheets.items()}
    if select is not None:
        report = select(report)
    submission = WorkbookSubmission(report, all_units=all_units, keying=keying)
    submission.plan = Plan(
        company=company,
        to_send={sheet.layout.sheet: len(sheet.ready) for sheet in report.sheets.values()},
        invalid_rows=sum(s.count(Status.INVALID) for s in report.sheets.values()),
        already_created_rows=sum(s.count(Status.CREATED) for s in report.sheets.values()),
    )
    return submission


def _to_submit(submission: WorkbookSubmission, key: str, sheet: SheetValidation) -> tuple[list[Any], list[Any]]:
    """(units to submit, the sheet's other units). Rows Invalid for the amount due alone are
    looked for too: the platform may have them already (a colleague's Submit lowered the
    cached amount due)."""
    ready = sheet.ready + [unit for unit in sheet.units if unit.only_over_due]
    sending = {id(unit) for unit in ready}
    return ready, [unit for unit in submission.all_units.get(key, sheet.units) if id(unit) not in sending]


def _submitter(submission: WorkbookSubmission, client: RootFiClient | None, journal: Any, options: SubmitOptions,
               progress: Callable[[int, int, str], None] | None, workbook: str | None) -> Submitter:
    settings = submission.validation.settings
    records = sum(len(sheet.ready) for sheet in submission.validation.sheets.values())  # the time limit scales
    return Submitter(client, journal, base_url=settings.base_url, company_id=settings.company_id,
                     integration=settings.integration, options=options,
                     progress=progress, workbook=workbook, workbook_id=settings.workbook_id, records=records)


def count_plan(submission: WorkbookSubmission, journal: Journal, options: SubmitOptions, *,
               workbook: str | None = None) -> None:
    """What the journal leaves to send, counted as the engine will decide it (Submitter.preview):
    new units to send, answers of earlier runs to collect, records it already has for a row,
    rows held. Reads only."""
    plan = submission.plan
    submitter = _submitter(submission, None, ReadOnlyJournal(journal), options, None, workbook)
    for key, sheet in submission.validation.sheets.items():
        ready, others = _to_submit(submission, key, sheet)
        counts = submitter.preview(MODEL_OF_TABLE[key], ready, others, sheet=key) if ready else {}
        name = sheet.layout.sheet
        plan.to_send[name] = counts.get("new", 0)
        plan.to_collect[name] = counts.get("collect", 0)
        plan.held[name] = counts.get("held", 0)
        plan.already_created_rows += counts.get("created", 0)


def send_planned(submission: WorkbookSubmission, client: RootFiClient, journal: Journal, *,
                 options: SubmitOptions, progress: Callable[[int, int, str], None] | None = None,
                 workbook: str | None = None) -> WorkbookSubmission:
    """Send every ready unit; outcomes per row. The journal has each answer before this returns.

    workbook: the workbook's file name (workbook_name): attempts journalled before row keys
    existed know their workbook only by it (identity.py)."""
    submitter = _submitter(submission, client, journal, options, progress, workbook)
    before = getattr(client, "requests_sent", 0)
    for key, sheet in submission.validation.sheets.items():
        ready, others = _to_submit(submission, key, sheet)
        # With nothing to send the engine still runs: it notes the records rows show, settles
        # and names the records of this workbook that are on no row (identity.py).
        # The engine never raises for what happens while sending: a stopped run still
        # brings back every outcome gathered before the stop, and those are written.
        report = submitter.submit(MODEL_OF_TABLE[key], ready, others, sheet=key)
        rows: dict[int, Outcome] = {}
        for position, outcome in report.outcomes.items():
            for row in ready[position].rows:
                rows[row.index] = outcome
        submission.outcomes[key] = rows
        submission.warnings += [f"{sheet.layout.sheet}: {warning}" for warning in report.warnings]
        if report.aborted:
            submission.aborted, submission.error = report.aborted, report.error
            _skip_not_reached(submission, report)
            break
    submission.requests_used = getattr(client, "requests_sent", 0) - before
    return submission


def _skip_not_reached(submission: WorkbookSubmission, report: Any) -> None:
    """The run stopped: every row of a sheet it never reached gets a Submit outcome (Skipped,
    why, what to do) instead of keeping Validate's "Valid", as the stopped sheet's own rows do."""
    message = stopped_before_sending(report.aborted, report.key_refused)
    for key, sheet in submission.validation.sheets.items():
        if key in submission.outcomes:
            continue
        submission.outcomes[key] = {row.index: Outcome(Status.SKIPPED, message)
                                    for unit in sheet.ready for row in unit.rows}


def mark_placed(journal: Journal, submission: WorkbookSubmission, missed: dict[str, set[int]]) -> None:
    """After the results are written and saved: the Created records whose every row got its
    result are placed in the journal (identity.py); `missed` (sheet name -> row indexes) are
    rows the workbook could not find any more (changed while Submit ran)."""
    rows_of: dict[int, set[int]] = {}
    skipped: set[int] = set()
    for key, outcomes in submission.outcomes.items():
        lost = missed.get(TABLES[key].sheet, set())
        for index, outcome in outcomes.items():
            if outcome.status == Status.CREATED and outcome.attempt_id is not None:
                rows_of.setdefault(outcome.attempt_id, set()).add(index)
                if index in lost:
                    skipped.add(outcome.attempt_id)
    journal.place([attempt for attempt in rows_of if attempt not in skipped], PLACED_ROW)
