"""`rootfi-excel sandbox`: run the local stand-in of the RootFi API until Ctrl+C."""

from __future__ import annotations

import secrets
from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import say
from rootfi_excel.safe_text import printable
from rootfi_excel.sandbox.faults import parse_fault
from rootfi_excel.sandbox.gate import RESET_FORMATS
from rootfi_excel.sandbox.shapes import LIST_SHAPES


def parse_faults(text: str) -> dict[str, float]:
    """'429=0.2,500=0.1,drop@writes=0.1' -> {"429": 0.2, "500": 0.1, "drop@writes": 0.1}."""
    faults: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        name = name.strip()
        try:
            parse_fault(name)
        except ValueError as error:
            raise click.BadParameter(printable(str(error)), param_hint="--faults") from None
        try:
            faults[name] = float(value)
        except ValueError:
            raise click.BadParameter(f"'{printable(part)}' needs a probability, e.g. {printable(name)}=0.1",
                                     param_hint="--faults") from None
    return faults


@click.command(cls=GuardedCommand, doing="run the sandbox", stopped="Sandbox stopped.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8765, show_default=True, type=int)
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite file (kept between runs). Default: a new file in a temp folder.")
@click.option("--latency-ms", default=0, show_default=True, type=click.IntRange(min=0),
              help="Delay added to every API request.")
@click.option("--rate-limit", default=100, show_default=True, type=click.IntRange(min=0),
              help="Requests per minute per key (bursts to 2x); 0 = off.")
@click.option("--faults", "faults_text", default="", metavar="SPEC",
              help='Fault probabilities per request, KIND[@SCOPE]=P, e.g. "429=0.2,500=0.1,drop@writes=0.1,'
                   '503@lookups=1" (kinds 429 500 502 503 400 slow drop no-list no-id; scopes all writes reads '
                   'lookups lists syncs).')
@click.option("--fault-seed", type=int, help="Seed for the fault dice (same seed, same faults).")
@click.option("--api-key", help="The key to accept. Default: a random key, printed once.")
@click.option("--volume", is_flag=True,
              help="Also seed company 1008 with 20,000 invoices and 2,000 customers (to measure a lookups refresh).")
@click.option("--job-delay-ms", default=2, show_default=True, type=click.IntRange(min=0),
              help="Processing time per record of a bulk write (a slow bulk write keeps its sync running).")
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
def sandbox(host: str, port: int, db_path: Path | None, latency_ms: int, rate_limit: int, faults_text: str,
            fault_seed: int | None, api_key: str | None, volume: bool, job_delay_ms: int,
            revoke_key_after: int | None, clock_offset: float, rate_limit_reset: str, running_status: str,
            list_shape: str, endless_cursor: bool, odd_ids: bool, odd_text: bool, echo_key: bool) -> None:
    """Run a local stand-in of the RootFi API until Ctrl+C.

    Seeded companies: 1001 QuickBooks, 1002 Xero, 1003 NetSuite, 1004 Dynamics 365,
    1005 Sage, 1006 FreshBooks; 1007 (Zoho Books) is disconnected, to see that refusal.
    """
    from rootfi_excel.sandbox.seed import VOLUME_CONTACTS, VOLUME_INVOICES
    from rootfi_excel.sandbox.server import SandboxConfig, run  # the web stack loads only here

    faults = parse_faults(faults_text)
    config = SandboxConfig(
        db_path=db_path, host=host, port=port, latency_ms=latency_ms, rate_limit_per_minute=rate_limit or None,
        faults=faults, fault_seed=fault_seed, api_keys=[api_key or "rk_sandbox_" + secrets.token_urlsafe(24)],
        volume=(VOLUME_INVOICES, VOLUME_CONTACTS) if volume else None,
        job_delay_ms=job_delay_ms, revoke_key_after=revoke_key_after, clock_offset_s=clock_offset,
        rate_limit_reset=rate_limit_reset, running_status=running_status, list_shape=list_shape,
        endless_cursor=endless_cursor, odd_ids=odd_ids, odd_text=odd_text, echo_key=echo_key,
    )
    say(f"RootFi sandbox on http://{host}:{port}/v4")
    say(f"Database: {db_path}" if db_path else "Database: a temporary file, deleted when the sandbox stops "
        "(--db FILE keeps it)")
    if api_key is None:
        say(f"API key (shown once): {config.api_keys[0]}")
    limit = f"{rate_limit} requests per minute" if rate_limit else "off"
    say(f"Rate limit: {limit}; faults: {faults or 'none'}. Ctrl+C to stop.")
    cases = [name for name, on in (
        (f"key revoked after {revoke_key_after} requests", revoke_key_after is not None),
        (f"clock off by {clock_offset:+.0f} s", bool(clock_offset)),
        (f"X-RateLimit-Reset in {rate_limit_reset}", rate_limit_reset != "seconds"),
        (f"running status {running_status}", running_status != "RUNNING"),
        (f"{list_shape} lists", list_shape != "plain"), ("endless cursors", endless_cursor), ("odd ids", odd_ids),
        ("odd text", odd_text), ("errors echo the key", echo_key),
    ) if on]
    if cases:
        say("On purpose: " + "; ".join(cases) + ".")
    try:
        run(config)
    except KeyboardInterrupt:  # Ctrl+C is how a sandbox is meant to stop: not an error
        say("Sandbox stopped." + ("" if db_path else " Its temporary database was deleted."))
    except ValueError as error:
        raise click.UsageError(str(error)) from None
