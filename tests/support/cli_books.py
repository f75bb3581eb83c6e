"""Workbooks for command-line tests: a workbook of the sandbox's own records (as `demo`
makes it), a table's rows read back, and the attempts a journal holds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl

from rootfi_excel.demo.data import credit_note_rows, fetch_lookups, payment_rows
from rootfi_excel.workbook.template import build_template
from tests.support.submitting import fast_client


NETSUITE = 1003


def table_rows(path: Path, sheet: str) -> list[dict]:
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    headers = rows[0]
    return [dict(zip(headers, r)) for r in rows[1:] if any(v is not None for v in r)]


def demo_book(path: Path, sandbox, api_key: str, payments: int, notes: int, company: int = NETSUITE) -> Path:
    client = fast_client(sandbox, api_key)
    company_info = client.get_company(company)
    lookups = fetch_lookups(client, company)
    return build_template(path, payments=payment_rows(lookups, payments, integration=company_info.integration,
                                                      with_mistakes=False),
                          credit_note_lines=credit_note_rows(lookups, notes, integration=company_info.integration,
                                                             with_mistakes=False),
                          settings={"company_id": company, "integration": company_info.integration,
                                    "environment": "sandbox", "base_url": sandbox.base_url})


def journal_attempts(journal: Path) -> int:
    try:
        with sqlite3.connect(journal) as db:
            return db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    except sqlite3.Error:
        return 0
