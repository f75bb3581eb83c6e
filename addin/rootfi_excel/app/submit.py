"""Submit: settings -> client -> plan -> confirm -> journal -> send -> write.

The one place this order lives; the ribbon and `rootfi-excel submit` both call it. This
module is the workbook's side (read the settings once, ask, write keys and results back);
submission/workbook_submission.py is the engine's (check the company, plan, send, place).
Every answer is in the journal (inside the engine) before the workbook is touched, so
whatever stops the write, the next Submit writes the same results back without sending.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rootfi_excel.api.client import RootFiClient
from rootfi_excel.app.account import open_client, platform_name
from rootfi_excel.app.selection import Selection, narrow
from rootfi_excel.app.totals import WorkbookTotals, refresh_totals, totals_ending
from rootfi_excel.app.ui import UserInterface
from rootfi_excel.errors import (
    AuthError,
    CredentialsError,
    JournalError,
    NetworkError,
    RootFiError,
    SubmitAborted,
    WorkbookError,
)
from rootfi_excel.fields.integrations import RequirementBook
from rootfi_excel.sheets.layout import (
    MESSAGE,
    PLATFORM_ID,
    ROOTFI_ID,
    ROW_KEY,
    SETTINGS_SHEET,
    STATUS,
    SUBMITTED_AT,
    SYNC_ID,
    TABLES,
    WORKBOOK_ID,
    Status,
)
from rootfi_excel.sheets.settings import Overrides, WorkbookSettings
from rootfi_excel.sheets.workbook_settings import read_workbook_settings
from rootfi_excel.submission.engine import SubmitOptions
from rootfi_excel.failures import record
from rootfi_excel.messages import NOTHING_SENT, key_refused, plural, unreachable, were, words
from rootfi_excel.validation.validate import SheetValidation
from rootfi_excel.validation.workbook_validation import WorkbookValidation, refusals, write_validation
from rootfi_excel.submission.journal import Journal
from rootfi_excel.submission.workbook_submission import (
    WorkbookSubmission,
    count_plan,
    mark_placed,
    plan_submission,
    send_planned,
)
from rootfi_excel.sheets.port import ResultUpdate, WorkbookPort

# How a Submit ended, for the front end to choose its exit code or message.
DONE = "done"  # sent (or nothing to send) and written back
DECLINED = "declined"  # the person said no; nothing was sent
STOPPED = "stopped"  # could not start (settings, key, company); nothing was sent
UNWRITTEN = "unwritten"  # sent, but some results are only in the journal

# Outcomes that leave a row this Submit meant to send without its final answer: held back
# (Skipped: a check could not run, a bulk write was running, the run stopped), or still
# open at RootFi (Pending, Unknown). The next Submit settles them.
UNSETTLED = (Status.SKIPPED, Status.PENDING, Status.UNKNOWN)

NOUNS = {"payments": ("payment", "payments"), "credit_note_lines": ("credit note", "credit notes")}
RETRY = "{submit_again} to write them back (nothing is sent twice)."


@dataclass
class SubmitRun:
    ended: str
    submission: WorkbookSubmission | None = None
    totals: WorkbookTotals | None = None  # the Totals sheet as this Submit left it (app/totals.py)


def submit(port: WorkbookPort, ui: UserInterface, *, overrides: Overrides | None = None,
           selection: Selection | None = None, **options: Any) -> SubmitRun:
    """Read the settings, then `submit_with_settings` (the ribbon's way in)."""
    try:
        settings, requirements, problems = read_workbook_settings(port, overrides or Overrides())
    except WorkbookError as error:
        ui.error(f"This workbook cannot be used as it is: {error}")
        return SubmitRun(STOPPED)
    if problems:
        ui.error("Fix the Settings sheet first:\n  " + "\n  ".join(problems))
        return SubmitRun(STOPPED)
    return submit_with_settings(port, ui, settings, requirements, problems, selection=selection, **options)


def submit_with_settings(port: WorkbookPort, ui: UserInterface, settings: WorkbookSettings,
                         requirements: RequirementBook, problems: list[str], *, name: str = "the workbook",
                         client: RootFiClient | None = None,
                         options: SubmitOptions | None = None, journal_path: Path | None = None,
                         selection: Selection | None = None, retry_hint: str | None = None) -> SubmitRun:
    own_client = client is None
    journal: Journal | None = None
    retry_hint = retry_hint or words(RETRY)
    try:
        if own_client:
            client = open_client(settings)
        requests_at_start = getattr(client, "requests_sent", 0)
        journal = Journal(journal_path)  # nothing is sent without a journal to record it
        submission = plan_submission(client, port, settings, requirements, problems,
                                     select=lambda report: narrow(report, selection), journal=journal)
        plan = submission.plan
        try:  # every row's key is in the workbook before anything is sent
            write_keys(port, submission)
        except WorkbookError as error:
            return _refused(ui, name, f"{error}. Nothing was sent.", error)
        options = options or options_for(settings)  # one set for the plan shown and for the send
        if not options.resend_rejected:
            _hold_refused(submission, journal)
        count_plan(submission, journal, options, workbook=workbook_name(port))
        details = [*port.notices, *plan_lines(submission, settings)]
        if sum(plan.to_send.values()) or sum(plan.to_collect.values()):
            if not ui.confirm(question(submission, settings), details):
                ui.tell("Nothing was sent.")
                return SubmitRun(DECLINED, submission)
        else:
            ui.note("\n".join(details))
        with ui.working("Submitting"):
            send_planned(submission, client, journal, options=options,
                         progress=ui.progress, workbook=workbook_name(port))
        # One count for the whole Submit: the company check and validation's lookups included.
        submission.requests_used = getattr(client, "requests_sent", 0) - requests_at_start
        let_go_of_requests(submission)
        try:
            write_submission(port, submission)
            totals = refresh_totals(port, settings.cell_format)  # never stops the results being saved
            port.save()
            _mark_placed(journal, submission, port.missed)
        except WorkbookError as error:
            record(error, doing=f"save the results into {name}")
            ui.error(f"The results could not be written into {name}: {error}\n"
                     f"They are safe in this computer's journal: {retry_hint}")
            return SubmitRun(UNWRITTEN, submission)
    except JournalError as error:
        return _refused(ui, name, f"{error} Nothing was sent.", error)
    except (CredentialsError, SubmitAborted) as error:
        return _refused(ui, name, str(error), error)
    except NetworkError as error:
        return _refused(ui, name, f"{unreachable(settings.base_url, error)} {NOTHING_SENT}", error)
    except AuthError as error:
        reason = key_refused(settings.base_url, settings.key_profile, settings.company_id)
        return _refused(ui, name, f"{reason} {NOTHING_SENT}", error)
    except RootFiError as error:
        return _refused(ui, name, f"Could not check the company: {error}. {NOTHING_SENT}", error)
    finally:
        if journal is not None:
            journal.close()
        if own_client and client is not None:
            client.close()
    unplaced = sum(port.unplaced.values())
    if unplaced:
        ui.warn(f"{plural(unplaced, 'row')} {were(unplaced)} not written back because the table changed while RootFi was working "
                f"(rows sorted, edited or deleted). Their results are safe in this computer's journal: {retry_hint}")
        return SubmitRun(UNWRITTEN, submission, totals)
    return SubmitRun(DONE, submission, totals)


def _mark_placed(journal: Journal, submission: WorkbookSubmission, missed: dict[str, set[int]]) -> None:
    """The records now shown on their rows are placed; a journal that cannot say so only
    means the next Submit writes them back again, by their rows' keys: never an error here."""
    try:
        mark_placed(journal, submission, missed)
    except JournalError as error:
        record(error, doing="note in the journal which results reached their rows")


def let_go_of_requests(submission: WorkbookSubmission) -> None:
    """After sending, nothing reads the requests validation built (each one sent is in the
    journal, its answer in the outcomes): let them go before the results are written and
    saved, the run's peak of memory (50,000 payment requests hold ~60 MiB). The rows, their
    results and outcomes stay. A unit without its request no longer counts as ready."""
    for units in [*submission.all_units.values(), *(s.units for s in submission.validation.sheets.values())]:
        for unit in units:
            unit.request = None


def write_keys(port: WorkbookPort, submission: WorkbookSubmission) -> None:
    """Put the keys given by plan_submission (and the workbook id) into the workbook and make
    them last, before anything is sent. Raises WorkbookError when the workbook cannot hold them."""
    keying = submission.keying
    if not keying:
        return
    if keying.workbook_id and not port.write_setting(WORKBOOK_ID, keying.workbook_id):
        raise WorkbookError(f"the workbook has no {SETTINGS_SHEET} table to keep its {WORKBOOK_ID} (each row's "
                            f"identity for Submit): add the {SETTINGS_SHEET} sheet of the template, then run again")
    for key, rows in keying.rows.items():  # one block per sheet
        update = ResultUpdate()
        for index, row_key in rows.items():
            update.set(index, **{ROW_KEY: row_key})
        port.write_results(TABLES[key], update)
    port.checkpoint()


def options_for(settings: WorkbookSettings, **overrides: Any) -> SubmitOptions:
    """The engine's options from the workbook's Settings (batch_size, stuck_after_minutes)."""
    return SubmitOptions(**{"batch_size": settings.batch_size, "stall_after": settings.stuck_after_minutes * 60,
                            **overrides})


def workbook_name(port: WorkbookPort) -> str | None:
    """The workbook's file name (case aside), as Excel or the file names it: how attempts
    journalled before row keys existed name their workbook (identity.py). Keyed attempts
    know it by the id inside it (Settings workbook_id), whatever it is called."""
    name = port.file_name
    return name.casefold() if name else None


def write_submission(port: WorkbookPort, submission: WorkbookSubmission) -> None:
    """Write every row's result: validation for rows not sent, outcomes for sent ones."""
    write_validation(port, _without_sent_rows(submission))
    zone = _zone(submission.validation.settings.time_zone)
    for key, outcomes in submission.outcomes.items():
        update = ResultUpdate()
        for index, outcome in outcomes.items():
            update.set(index, **{
                STATUS: outcome.status,
                MESSAGE: outcome.message,
                ROOTFI_ID: outcome.rootfi_id,  # text, as every id (left-aligned, never 1.2E+15)
                PLATFORM_ID: outcome.platform_id,
                SYNC_ID: outcome.sync_id,
                SUBMITTED_AT: _local_time(outcome.submitted_at, zone),
            })
        port.write_results(TABLES[key], update)


def _without_sent_rows(submission: WorkbookSubmission) -> WorkbookValidation:
    sheets: dict[str, SheetValidation] = {}
    for key, sheet in submission.validation.sheets.items():
        sent = submission.outcomes.get(key, {})
        results = {i: r for i, r in sheet.results.items() if i not in sent}
        sheets[key] = SheetValidation(sheet.layout, sheet.units, results, sheet.columns, sheet.problems, sheet.emptied)
    return WorkbookValidation(submission.validation.settings, sheets, submission.validation.problems)


def _zone(name: str | None) -> dt.tzinfo | None:
    if not name:
        return None  # this computer's zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _local_time(stamp: str | None, zone: dt.tzinfo | None) -> dt.datetime | None:
    """UTC ISO time -> a naive local datetime, as Excel wants it (Excel has no time zones)."""
    if not stamp:
        return None
    moment = dt.datetime.fromisoformat(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(zone).replace(tzinfo=None)


def unsettled(submission: WorkbookSubmission) -> dict[str, int]:
    """{status: rows} of the rows this Submit meant to send that have no final answer
    (UNSETTLED). Rows Validate held back (another line of their credit note is invalid)
    are not counted: they were never to be sent."""
    counts: dict[str, int] = {}
    for outcomes in submission.outcomes.values():
        for outcome in outcomes.values():
            if outcome.status in UNSETTLED:
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
    return counts


def _hold_refused(submission: WorkbookSubmission, journal: Journal) -> None:
    """Take the rows the platform refused before (and unchanged since) out of the count to
    send; the engine writes their earlier reason back without sending them."""
    plan = submission.plan
    for key, rows in refusals(submission.validation, journal).items():
        sheet = submission.validation.sheets[key]
        units = [u for u in sheet.ready if any(r.index in rows for r in u.rows)]
        plan.to_send[sheet.layout.sheet] -= len(units)
        plan.refused_rows += len(rows)
        for index, message in rows.items():  # shown as the engine will write them
            sheet.results[index].status, sheet.results[index].message = Status.FAILED, message


def _refused(ui: UserInterface, name: str, reason: str, error: Exception) -> SubmitRun:
    """Say why the submit stopped before sending; the error's detail goes to the log."""
    record(error, doing=f"submit {name}")
    ui.error(f"Cannot submit {name}: {reason}")
    return SubmitRun(STOPPED)


def question(submission: WorkbookSubmission, settings: WorkbookSettings) -> str:
    """'Send 812 new payments and 64 new credit notes to NetSuite, company 1089 (Acme Ltd)? (12 answers
    from earlier runs will be collected, 30 rows are already created)': what will really be sent."""
    plan = submission.plan
    counts = []
    for key, sheet in submission.validation.sheets.items():
        number = plan.to_send.get(sheet.layout.sheet, 0)
        if number:
            one, many = NOUNS.get(key, ("record", "records"))
            counts.append(f"{number} new {one if number == 1 else many}")
    name = f" ({plan.company.name})" if plan.company.name else ""
    where = f"{platform_name(plan.company.integration)}, company {settings.company_id}{name}"
    collect = sum(plan.to_collect.values())
    also = []
    if collect and counts:
        also.append(f"{collect} {'answer' if collect == 1 else 'answers'} from earlier runs will be collected")
    if plan.already_created_rows:
        also.append(f"{plan.already_created_rows} {'row is' if plan.already_created_rows == 1 else 'rows are'} "
                    "already created")
    held = sum(plan.held.values())
    if held:
        also.append(f"{held} {'row is' if held == 1 else 'rows are'} held (see their message)")
    after = f" ({', '.join(also)})" if also else ""
    if not counts:
        return (f"Collect {collect} {'answer' if collect == 1 else 'answers'} from earlier runs from {where}? "
                f"Nothing new is sent{after}.")
    return f"Send {' and '.join(counts)} to {where}?{after}"


def plan_lines(submission: WorkbookSubmission, settings: WorkbookSettings) -> list[str]:
    plan = submission.plan
    lines = [f"Company {settings.company_id}: {plan.company.name or ''} on "
             f"{platform_name(plan.company.integration)} ({settings.base_url})"]
    for key, sheet in submission.validation.sheets.items():
        count = plan.to_send.get(sheet.layout.sheet, 0)
        one, many = NOUNS.get(key, ("record", "records"))
        line = f"  {sheet.layout.sheet}: {plural(count, 'new ' + one, 'new ' + many)} to send"
        collect = plan.to_collect.get(sheet.layout.sheet, 0)
        if collect:
            line += f", {plural(collect, 'answer')} from earlier runs to collect"
        held = plan.held.get(sheet.layout.sheet, 0)
        if held:
            line += f", {held} held (they look like records created before; their message says why)"
        lines.append(line)
    if plan.invalid_rows:
        lines.append(f"  {plural(plan.invalid_rows, 'invalid row')} will not be sent "
                     f"(see {'its' if plan.invalid_rows == 1 else 'their'} message)")
    if plan.refused_rows:
        lines.append(f"  {plural(plan.refused_rows, 'row')} the platform refused before "
                     f"{'is' if plan.refused_rows == 1 else 'are'} unchanged and will not be sent again (correct "
                     f"{'it' if plan.refused_rows == 1 else 'them'}, or run submit --resend-rejected)")
    if plan.already_created_rows:
        lines.append(f"  {plural(plan.already_created_rows, 'row')} created before: not sent again")
    return lines


def summary(run: SubmitRun) -> str:
    """The end-of-run message for a message box."""
    submission = run.submission
    counts = ", ".join(f"{submission.count(s)} {s.lower()}" for s in Status.ALL if submission.count(s))
    text = f"Submitted: {counts or 'no rows'}. Each row's status column says what became of it."
    if submission.possible_duplicates:
        text += (f"\n{plural(submission.possible_duplicates, 'possible duplicate')}: someone submitted the same rows at the "
                 "same moment; void one record of each pair in the platform (their rows say which).")
    text += "".join(f"\n{warning}" for warning in submission.warnings)
    if submission.aborted:
        text += f"\nStopped early: {submission.aborted}"
    return text + totals_ending(run.totals, submission.plan.company.integration)
