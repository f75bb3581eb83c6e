"""`rootfi-excel sandbox`: run the local stand-in of the RootFi API until Ctrl+C."""

from __future__ import annotations

from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.api.paths import SANDBOX_PORT
from rootfi_excel.cli.arguments import parse_faults
from rootfi_excel.cli.output import say
from rootfi_excel.cli.sandbox_setup import CONNECTED, DEFAULT_COMPANY, SANDBOX_PROFILE, configure, settings_for
from rootfi_excel.messages import (
    ENV_KEY_IN_USE,
    SANDBOX_CONFIGURE_HINT,
    SANDBOX_CONFIGURED,
    SANDBOX_CONFIGURED_NO_KEY,
    SANDBOX_DB_KEPT,
    SANDBOX_DB_TEMPORARY,
    SANDBOX_KEY,
    SANDBOX_LIMITS,
    SANDBOX_RUNNING,
    SANDBOX_SETTINGS,
    SANDBOX_SETTINGS_KEY,
    key_in_environment,
    platform,
)
from rootfi_excel.sandbox.gate import RESET_FORMATS
from rootfi_excel.sandbox.shapes import LIST_SHAPES


@click.command(cls=GuardedCommand, doing="run the sandbox", stopped="Sandbox stopped.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (this computer only).")
@click.option("--port", default=SANDBOX_PORT, show_default=True, type=int,
              help="Port to listen on (0: any free port).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite file that keeps the records and the key between runs. Default: a new temporary file.")
@click.option("--configure", "book", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="BOOK.xlsx",
              help="Point BOOK's Settings at this sandbox and store its key on this computer (key profile "
                   "'sandbox'), then serve.")
@click.option("--company", "company_id", type=click.Choice([str(c) for c in CONNECTED]), default=None, metavar="ID",
              help=f"With --configure: the sandbox company BOOK uses ({', '.join(map(str, CONNECTED))}). "
                   f"Default: BOOK's company_id if it is one of these, else {DEFAULT_COMPANY}.")
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(min=0),
              help="Delay added to every API request.")
@click.option("--rate-limit", default=100, show_default=True, type=click.IntRange(min=0),
              help="Requests per minute per key (bursts to 2x); 0 = off.")
@click.option("--faults", "faults_text", default="", metavar="SPEC",
              help="Fault probabilities per request, KIND[@SCOPE]=P joined by commas, for example "
                   "429=0.2,500=0.1 or drop@writes=0.1 (kinds: 429 500 502 503 400 slow drop no-list no-id; "
                   "scopes: all writes reads lookups lists syncs).")
@click.option("--fault-seed", type=int, help="Seed for the fault dice (same seed, same faults).")
@click.option("--api-key", help="The key to accept. Default: the database's own key (made on its first run).")
@click.option("--volume", is_flag=True,
              help="Also seed company 1008 with 20,000 invoices and 2,000 customers (to measure a lookups refresh).")
@click.option("--job-delay-ms", default=2, show_default=True, type=click.IntRange(min=0),
              help="Processing time per record of a bulk write (a slow bulk write keeps its sync running).")
@click.option("--stuck-syncs", is_flag=True,
              help="Accept bulk writes and never work on them: their syncs stay running, nothing moves.")
@click.option("--revoke-key-after", type=click.IntRange(min=0), metavar="N",
              help="Refuse the key (401) after N requests made with it.")
@click.option("--clock-offset", default=0.0, show_default=True, type=float, metavar="SECONDS",
              help="Set the server's clock off (Date header and every time it writes), e.g. -10800.")
@click.option("--rate-limit-reset", type=click.Choice(RESET_FORMATS), default="seconds", show_default=True,
              help="How X-RateLimit-Reset is written.")
@click.option("--running-status", default="RUNNING", show_default=True,
              help="Status of a sync or job that is not finished, e.g. SLEEPING.")
@click.option("--list-shape", type=click.Choice(LIST_SHAPES), default="plain", show_default=True,
              help='"nested" wraps every list: {"data": {"data": [...], "next": ...}}.')
@click.option("--endless-cursor", is_flag=True, help="Every page of every list has a new next cursor.")
@click.option("--odd-ids", is_flag=True, help="Sync and job ids with a slash, '..', '?', '#', '%', a space and "
                                              "a control character.")
@click.option("--odd-text", is_flag=True, help="Written records' platform ids and refusals' messages end in "
                                              "characters XML forbids (U+FFFE, U+FFFF, a lone surrogate).")
@click.option("--echo-key", is_flag=True, help="Every error text (message, field, code, job errors) repeats the "
                                               "API key the request sent, as a careless server might.")
def sandbox(host: str, port: int, db_path: Path | None, book: Path | None, company_id: str | None, latency_ms: int,
            rate_limit: int, faults_text: str, fault_seed: int | None, api_key: str | None, volume: bool,
            job_delay_ms: int, revoke_key_after: int | None, clock_offset: float, rate_limit_reset: str,
            running_status: str, list_shape: str, endless_cursor: bool, odd_ids: bool, odd_text: bool, echo_key: bool,
            stuck_syncs: bool = False) -> None:
    """Run a local stand-in of the RootFi API until Ctrl+C.

    Seeded companies: 1001 QuickBooks, 1002 Xero, 1003 NetSuite, 1004 Dynamics 365,
    1005 Sage, 1006 FreshBooks; 1007 (Zoho Books) is disconnected, to see that refusal.
    It prints the Settings a workbook needs to use it; --configure BOOK.xlsx writes them.
    """
    from rootfi_excel.sandbox.seed import VOLUME_CONTACTS, VOLUME_INVOICES  # with the web stack below: only to run
    from rootfi_excel.sandbox.server import SandboxConfig, run  # the web stack loads only here

    faults = parse_faults(faults_text)
    config = SandboxConfig(
        db_path=db_path, host=host, port=port, latency_ms=latency_ms, rate_limit_per_minute=rate_limit or None,
        faults=faults, fault_seed=fault_seed, api_keys=[api_key] if api_key else [],
        volume=(VOLUME_INVOICES, VOLUME_CONTACTS) if volume else None,
        job_delay_ms=job_delay_ms, revoke_key_after=revoke_key_after, clock_offset_s=clock_offset,
        rate_limit_reset=rate_limit_reset, running_status=running_status, list_shape=list_shape,
        endless_cursor=endless_cursor, odd_ids=odd_ids, odd_text=odd_text, echo_key=echo_key, stuck_syncs=stuck_syncs,
    )
    cases = [name for name, on in (
        (f"key revoked after {revoke_key_after} requests", revoke_key_after is not None),
        (f"clock off by {clock_offset:+.0f} s", bool(clock_offset)),
        ("bulk writes never move (--stuck-syncs)", stuck_syncs),
        (f"X-RateLimit-Reset in {rate_limit_reset}", rate_limit_reset != "seconds"),
        (f"running status {running_status}", running_status != "RUNNING"),
        (f"{list_shape} lists", list_shape != "plain"), ("endless cursors", endless_cursor), ("odd ids", odd_ids),
        ("odd text", odd_text), ("errors echo the key", echo_key),
    ) if on]

    def ready(running) -> None:  # the address and the key are known: say how to use them
        key = running.config.api_keys[0]
        say(SANDBOX_RUNNING.format(url=running.base_url), bold=True)
        say(SANDBOX_DB_KEPT.format(db=db_path) if db_path else SANDBOX_DB_TEMPORARY)
        say(SANDBOX_KEY.format(key="the one given with --api-key" if api_key else key,
                               kept=" (kept with the database)" if db_path and not api_key else ""))
        limit = f"{rate_limit} requests per minute" if rate_limit else "off"
        say(SANDBOX_LIMITS.format(limit=limit, faults=faults_text or "none"))
        if cases:
            say("On purpose: " + "; ".join(cases) + ".")
        if book is not None:
            values, not_stored = configure(book, running.base_url, key, int(company_id) if company_id else None)
            settings = ", ".join(f"{name} {value}" for name, value in values.items())
            if not_stored:
                say(SANDBOX_CONFIGURED_NO_KEY.format(book=book.name, settings=settings, reason=not_stored,
                                                     url=running.base_url, profile=SANDBOX_PROFILE), fg="yellow")
            else:
                say(SANDBOX_CONFIGURED.format(book=book.name, settings=settings, profile=SANDBOX_PROFILE),
                    fg="green")
            if key_in_environment():  # that variable's key, not the sandbox's, would be sent
                say(ENV_KEY_IN_USE, fg="yellow")
            return
        say("")
        say(SANDBOX_SETTINGS)
        for name, value in settings_for(running.base_url, DEFAULT_COMPANY).items():
            note = f"   ({platform(value)})" if name == "integration" else ""
            say(f"  {name:<12} {value}{note}")
        which = "the key given with --api-key" if api_key else "the key above"
        say(SANDBOX_SETTINGS_KEY.format(which=which, url=running.base_url, profile=SANDBOX_PROFILE))
        options = f"--db {db_path or 'sandbox.sqlite3'} " + (f"--port {port} " if port != SANDBOX_PORT else "")
        say(SANDBOX_CONFIGURE_HINT.format(options=options))

    try:
        run(config, ready=ready)
    except KeyboardInterrupt:  # Ctrl+C is how a sandbox is meant to stop: not an error
        say("Sandbox stopped." + ("" if db_path else " Its temporary database was deleted."))
    except ValueError as error:
        raise click.UsageError(str(error)) from None
