"""rootfi-excel demo — the whole job end to end, on a machine without Excel.

Starts the local sandbox of the RootFi API, makes a workbook from the template filled
with realistic month-end data (some rows deliberately wrong), validates it, submits it
(bulk writes, progress bar) and writes the results into the .xlsx.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from pathlib import Path

import click

from rootfi_excel.api.client import RootFiClient
from rootfi_excel.app.submit import options_for, unsettled
from rootfi_excel.app.validate import validate as validate_and_mark
from rootfi_excel.cli.arguments import check_workbook_name, parse_faults
from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import EXIT_UNUSABLE, print_notices, print_validation, say, stop
from rootfi_excel.cli.submitting import run_submit
from rootfi_excel.demo.data import credit_note_rows, fetch_lookups, payment_rows
from rootfi_excel.messages import DEMO_TOO_MANY_PAYMENTS, demo_unfinished, platform, plural
from rootfi_excel.safe_text import hide
from rootfi_excel.sandbox.seed import OPEN_INVOICES
from rootfi_excel.sheets.settings import Overrides
from rootfi_excel.sheets.workbook_settings import read_workbook_settings


def _check_payments(ctx: click.Context, param: click.Parameter, value: int) -> int:
    """Checked before anything starts: the demo pays each open invoice at most once."""
    if value > OPEN_INVOICES:
        raise click.BadParameter(DEMO_TOO_MANY_PAYMENTS.format(asked=value, have=OPEN_INVOICES))
    return value


SANDBOX_COMPANIES = ("Sandbox company: 1001 QuickBooks, 1002 Xero, 1003 NetSuite, 1004 Dynamics 365, 1005 Sage, "
                     "1006 FreshBooks; 1007 (Zoho Books) is disconnected, to see that refusal.")


@click.command(cls=GuardedCommand, doing="run the demo ({file})",
               stopped="Stopped (Ctrl+C): the demo's sandbox is stopped; {file} may hold part of the results.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("rootfi-demo.xlsx"),
              show_default=True, help="The workbook to write (.xlsx).")
@click.option("--force", is_flag=True, help="Overwrite the workbook if it exists.")
@click.option("--company", "company_id", type=click.IntRange(1001, 1007), default=1003, show_default=True,
              help=SANDBOX_COMPANIES)
@click.option("--payments", type=click.IntRange(0), default=300, show_default=True, callback=_check_payments,
              help=f"Payments to make, each paying another open invoice of the company (0 to {OPEN_INVOICES}).")
@click.option("--credit-notes", type=click.IntRange(0, 1000), default=40, show_default=True,
              help="Credit notes to make, of 2 to 5 lines each (0 to 1000).")
@click.option("--rate-limit", type=click.IntRange(0), default=100, show_default=True,
              help="Sandbox requests per minute (0 = off).")
@click.option("--latency-ms", type=click.IntRange(0), default=50, show_default=True,
              help="Sandbox latency per request.")
@click.option("--faults", default="", callback=lambda ctx, param, value: (parse_faults(value), value)[1],
              help='Sandbox faults, e.g. "500=0.1,drop=0.05" (see rootfi-excel sandbox --help).')
def demo(out: Path, force: bool, company_id: int, payments: int, credit_notes: int, rate_limit: int,
         latency_ms: int, faults: str) -> None:
    """Try the whole job on a local sandbox of the API.

    Starts a sandbox, writes a workbook of month-end data (some rows wrong on purpose)
    to --out, validates it, submits it and writes the results into it. The sandbox
    stops when the demo ends; run the demo again for a new one.

    Exit code 0 when every row got its result (the rows wrong on purpose Invalid or
    Failed), 2 when the demo could not finish: rows it meant to send were held back or
    left without an answer (Skipped, Pending, Unknown), or it could not run at all.
    """
    from rootfi_excel.sandbox.server import SandboxConfig, start_in_thread  # the web stack: loaded only to run
    from rootfi_excel.workbook.template import build_template  # openpyxl: loaded when the command runs, not for --help
    from rootfi_excel.workbook.xlsx import XlsxWorkbook  # (the same)

    check_workbook_name(out)
    if out.exists() and not force:
        stop(f"{out} exists; pass --force to overwrite it, or --out to write another file.")
    work = Path(tempfile.mkdtemp(prefix="rootfi-demo-"))  # the sandbox's database and the journal; removed at the end
    key = secrets.token_urlsafe(24)  # a throwaway key for this sandbox only; never printed
    hide(key)
    sandbox = start_in_thread(SandboxConfig(
        db_path=work / "sandbox.sqlite3", api_keys=[key], rate_limit_per_minute=rate_limit or None,
        latency_ms=latency_ms, faults=parse_faults(faults), fault_seed=7,
    ))
    try:
        with RootFiClient(key, base_url=sandbox.base_url, timeout=10.0) as client:
            company = client.get_company(company_id)
            say(f"1. Sandbox of the RootFi API running at {sandbox.base_url}", bold=True)
            say(f"   company {company_id}: {company.name} on {platform(company.integration)}")

            lookups = fetch_lookups(client, company_id)
            pay = payment_rows(lookups, payments, integration=company.integration)
            notes = credit_note_rows(lookups, credit_notes, integration=company.integration)
            build_template(out, payments=pay, credit_note_lines=notes, settings={
                "company_id": company_id, "integration": company.integration, "environment": "sandbox",
                "base_url": sandbox.base_url, "key_profile": "demo",
            })
            say(f"2. Workbook {out} made from the template: {plural(len(pay), 'payment')}, "
                f"{plural(len(notes), 'credit-note line')} ({plural(credit_notes, 'credit note')})", bold=True)

            with XlsxWorkbook.open(out) as workbook:
                report = validate_and_mark(workbook, client=client)  # no lookups: ids read from the sandbox
                workbook.save()
            say("3. Validate", bold=True)
            print_notices(workbook)
            print_validation(report, out.name)

            say("4. Submit", bold=True)
            with XlsxWorkbook.open(out) as workbook:
                settings, requirements, problems = read_workbook_settings(workbook, Overrides())
                # The sandbox commits a write before it answers, so a lost answer can be checked
                # after a few seconds (against the real API the engine waits longer).
                options = options_for(settings, resend_after=3.0)
                code, run = run_submit(workbook, settings, requirements, problems, out.name, yes=True, client=client,
                                  journal_path=work / "journal.sqlite3", options=options)
            stats = sandbox.count_records(company_id, "invoice_payments"), \
                sandbox.count_records(company_id, "invoice_credit_notes")
            say(f"5. The sandbox now holds {stats[0]} payments and {stats[1]} credit notes for company "
                        f"{company_id}.", bold=True)
            say(f"Open {out.resolve()} to see status, rootfi_id and messages on every row.")
    finally:
        sandbox.stop()
        shutil.rmtree(work, ignore_errors=True)
    left = unsettled(run.submission) if run.submission is not None else {}
    if left:  # the job is not done: the demo says so and ends as a command that could not do its job
        say(demo_unfinished(left, out.name, faults=bool(faults.strip())), fg="red", err=True)
        raise SystemExit(EXIT_UNUSABLE)
    if code == EXIT_UNUSABLE:
        raise SystemExit(EXIT_UNUSABLE)
