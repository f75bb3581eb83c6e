"""`rootfi-excel sandbox`: run the local stand-in of the RootFi API until Ctrl+C."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import say
from rootfi_excel.safe_text import printable
from rootfi_excel.sandbox.faults import FAULT_KINDS


def parse_faults(text: str) -> dict[str, float]:
    """'429=0.2,500=0.1,slow=0.1' -> {"429": 0.2, "500": 0.1, "slow": 0.1}."""
    faults: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _, value = part.partition("=")
        kind = kind.strip()
        if kind not in FAULT_KINDS:
            raise click.BadParameter(f"unknown fault '{printable(kind)}'; use {', '.join(FAULT_KINDS)}", param_hint="--faults")
        try:
            faults[kind] = float(value)
        except ValueError:
            raise click.BadParameter(f"'{printable(part)}' needs a probability, e.g. {kind}=0.1",
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
              help='Fault probabilities per request, e.g. "429=0.2,500=0.1,502=0.1,503=0.1,slow=0.1,drop=0.1".')
@click.option("--fault-seed", type=int, help="Seed for the fault dice (same seed, same faults).")
@click.option("--api-key", help="The key to accept. Default: a random key, printed once.")
@click.option("--volume", is_flag=True,
              help="Also seed company 1008 with 20,000 invoices and 2,000 customers (to measure a lookups refresh).")
def sandbox(host: str, port: int, db_path: Path | None, latency_ms: int, rate_limit: int, faults_text: str,
            fault_seed: int | None, api_key: str | None, volume: bool) -> None:
    """Run the local RootFi API sandbox (seeded demo companies 1001-1007) until Ctrl+C."""
    from rootfi_excel.sandbox.seed import VOLUME_CONTACTS, VOLUME_INVOICES
    from rootfi_excel.sandbox.server import SandboxConfig, run  # the web stack loads only here

    faults = parse_faults(faults_text)
    if db_path is None:
        db_path = Path(tempfile.mkdtemp(prefix="rootfi-sandbox-")) / "sandbox.sqlite3"
    config = SandboxConfig(
        db_path=db_path, host=host, port=port, latency_ms=latency_ms, rate_limit_per_minute=rate_limit or None,
        faults=faults, fault_seed=fault_seed, api_keys=[api_key or "rk_sandbox_" + secrets.token_urlsafe(24)],
        volume=(VOLUME_INVOICES, VOLUME_CONTACTS) if volume else None,
    )
    say(f"RootFi sandbox on http://{host}:{port}/v4")
    say(f"Database: {db_path}")
    if api_key is None:
        say(f"API key (shown once): {config.api_keys[0]}")
    limit = f"{rate_limit} requests per minute" if rate_limit else "off"
    say(f"Rate limit: {limit}; faults: {faults or 'none'}. Ctrl+C to stop.")
    try:
        run(config)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
