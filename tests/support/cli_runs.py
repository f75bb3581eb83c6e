"""Commands through click's runner, checked on the way (never a traceback, never the key),
and the workbooks and records they are run on."""

from __future__ import annotations

import openpyxl
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.workbook.template import build_template


def run(args, *, key: str | None = None, input: str | None = None):
    """A command through click's runner: never a traceback, never the key, always an exit code."""
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input,
                                env={"ROOTFI_API_KEY": key} if key else None)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if key:
        assert key not in result.output
    return result


def book_for(path, company: int, base_url: str):
    return build_template(path, settings={"company_id": company, "environment": "sandbox", "base_url": base_url})


def live_table(path, sheet: str, table: str) -> list[dict]:
    """The rows of an Excel table (a live list on the Lookups sheet, or the Posted table)."""
    ws = openpyxl.load_workbook(path)[sheet]
    cells = ws[ws.tables[table].ref]
    headers = [c.value for c in cells[0]]
    return [dict(zip(headers, (c.value for c in row))) for row in cells[1:]]


def first(api, company: int, path: str, **params) -> dict:
    return api.get(f"/core/companies/{company}/{path}", params={"limit": 1, **params}).json()["data"][0]
