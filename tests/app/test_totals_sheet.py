"""The Totals sheet over HTTP: a workbook with mixed outcomes in two currencies totals to a
hand-computed table after Submit (and in the terminal); after Posted, a duplicate entered
in the platform shows as a difference naming it and the row it copies."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.lookups.ledger_totals import LEDGER_TABLE
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, Status
from rootfi_excel.sheets.totals_view import TOTALS_SHEET, TOTALS_TABLE
from rootfi_excel.workbook.template import build_template
from tests.support.sandbox_api import QUICKBOOKS, client, customer, lookup

DAY = dt.datetime(2026, 3, 31)


def totals_rows(path, table=TOTALS_TABLE):
    """{(sheet or type, currency, line): (count, amount, rows)} of one table on the Totals sheet."""
    ws = openpyxl.load_workbook(path)[TOTALS_SHEET]
    ref = ws.tables[table].ref
    cells = [[c.value for c in row] for row in ws[ref]]
    headers, rows = cells[0], cells[1:]
    found: dict = {}
    for r in rows:
        cell = dict(zip(headers, r))
        if r[0] == "Note":
            continue
        key = (r[0], r[1], r[2].strip() if r[2] else r[2])
        if key in found:  # the records behind a difference: one per row
            found[key] = (None, None, f"{found[key][2]}; {r[5]}")
        else:
            found[key] = (cell["count"], cell["amount"], r[5])
    return found, headers


def invoices_in(api, currency: str, count: int) -> list[dict]:
    answer = api.get(f"/core/companies/{QUICKBOOKS}/shared/invoices",
                     params={"limit": 200, "status[eq]": "SUBMITTED"}).json()["data"]
    found = [i for i in answer if i["currency_id"] == currency and float(i["amount_due"]) > 500]
    assert len(found) >= count, f"the sandbox has too few open {currency} invoices"
    return found[:count]


def mixed_book(tmp_path, sandbox, api):
    usd = invoices_in(api, "USD", 4)
    foreign_currency = next(c for c in ("GBP", "EUR", "AUD") if len(_safe(invoices_in, api, c, 2)) >= 2)
    foreign = invoices_in(api, foreign_currency, 2)

    def pay(number, invoice, amount, **more):
        return {"document_number": number, "invoice_id": invoice["platform_id"], "amount": amount,
                "payment_date": DAY, "currency_id": invoice["currency_id"], **more}

    payments = [
        pay("RCPT-0", usd[0], 100.10), pay("RCPT-1", usd[1], 200.20), pay("RCPT-2", usd[2], 0.30),
        pay("RCPT-3", usd[3], -5),  # Invalid: not above zero
        pay("RCPT-4", foreign[0], 50.05), pay("RCPT-5", foreign[1], 25),
        pay("RCPT-6", foreign[1], 7.5, payment_date="31/02/2026"),  # Invalid: no such date
    ]
    buyer = customer(api, QUICKBOOKS)
    sales = lookup(api, QUICKBOOKS, "accounts", **{"name[eq]": "Sales Returns and Allowances"})

    def line(number, unit, quantity=1, **more):
        return {"document_number": number, "contact_id": buyer["platform_id"], "posted_date": DAY,
                "currency_id": buyer["currency_id"], "account_id": sales["platform_id"], "description": "Refund",
                "quantity": quantity, "unit_amount": unit, **more}

    notes = [line("CN-1", 10.25, 2), line("CN-1", 4.5),  # 20.50 + 4.50
             line("CN-2", 30), line("CN-2", "thirty")]  # one bad line: the other is Skipped
    settings = {"company_id": QUICKBOOKS, "integration": "QUICKBOOKS", "environment": "sandbox",
                "base_url": sandbox.base_url, "posted_from": dt.datetime(2026, 3, 1)}
    path = build_template(tmp_path / "book.xlsx", payments=payments, credit_note_lines=notes, settings=settings)
    return path, foreign_currency, buyer["currency_id"]


def _safe(function, *args):
    try:
        return function(*args)
    except AssertionError:
        return []


def test_mixed_outcomes_in_two_currencies_total_to_the_hand_computed_table(sandbox, api_key, tmp_path,
                                                                           monkeypatch):
    submit_and_post(sandbox, api_key, tmp_path, monkeypatch)


def submit_and_post(sandbox, api_key, tmp_path, monkeypatch):
    """Validate, Submit and Posted (with a duplicate entered in the platform meanwhile) on the
    mixed workbook, checking the Totals sheet after each; returns the workbook's path."""
    api = client(sandbox, api_key)
    path, fx, note_currency = mixed_book(tmp_path, sandbox, api)
    monkeypatch.setenv("ROOTFI_API_KEY", api_key)

    validated = CliRunner().invoke(cli, ["validate", str(path)])
    assert validated.exit_code == 1, validated.output  # invalid rows
    rows, headers = totals_rows(path)
    assert headers == ["sheet", "currency", "line", "amount", "count", "rows"]
    pay, notes = PAYMENTS.sheet, CREDIT_NOTE_LINES.sheet
    assert rows[pay, "USD", "Entered"] == (4, "295.60", None)
    assert rows[pay, "USD", Status.VALID] == (3, "300.60", None)
    assert rows[pay, "USD", Status.INVALID] == (1, "-5.00", "row 5")
    assert rows[pay, "USD", "Check: entered - created - not yet created"] == (0, "0.00", None)

    submitted = CliRunner().invoke(cli, ["submit", str(path), "--yes"])
    assert submitted.exit_code == 1, submitted.output  # some rows are not Created
    rows, _ = totals_rows(path)
    # Hand-computed: USD 100.10 + 200.20 + 0.30 created, -5 invalid (row 5);
    # fx 50.05 + 25.00 created, 7.50 invalid (row 8: its date); credit notes by their lines, before tax.
    expected = {
        (pay, "USD", "Entered"): (4, "295.60", None),
        (pay, "USD", Status.CREATED): (3, "300.60", None),
        (pay, "USD", Status.INVALID): (1, "-5.00", "row 5"),
        (pay, "USD", "Not yet created"): (1, "-5.00", None),
        (pay, "USD", "Check: entered - created - not yet created"): (0, "0.00", None),
        (pay, fx, "Entered"): (3, "82.55", None),
        (pay, fx, Status.CREATED): (2, "75.05", None),
        (pay, fx, Status.INVALID): (1, "7.50", "row 8"),
        (pay, fx, "Not yet created"): (1, "7.50", None),
        (pay, fx, "Check: entered - created - not yet created"): (0, "0.00", None),
        (notes, note_currency, "Entered"): (4, "55.00", None),
        (notes, note_currency, Status.CREATED): (2, "25.00", None),
        (notes, note_currency, Status.SKIPPED): (1, "30.00", "row 4"),
        (notes, note_currency, Status.INVALID): (1, "0.00", "row 5"),
        (notes, note_currency, "Not yet created"): (2, "30.00", None),
        (notes, note_currency, "Check: entered - created - not yet created"): (0, "0.00", None),
        (notes, note_currency, "Amount not read"): (1, None, "row 5"),
    }
    assert rows == expected
    # The terminal ends with the same table and the one line that matters.
    assert "Control totals (the Totals sheet):" in submitted.output
    assert f"{pay}, USD" in submitted.output and "300.60" in submitted.output and "rows 8" not in submitted.output
    assert "Invalid                                     1    7.50  row 8" in submitted.output
    assert f"2 payments, {fx} 7.50 and USD -5.00, are not yet: see the Totals sheet" in submitted.output

    # Someone enters RCPT-0 again by hand in the platform (QuickBooks accepts it): Posted names it.
    book = {r[0].value: r for r in openpyxl.load_workbook(path)[PAYMENTS.sheet].iter_rows(min_row=2)}
    headers = [c.value for c in openpyxl.load_workbook(path)[PAYMENTS.sheet][1]]
    first = dict(zip(headers, [c.value for c in book["RCPT-0"]]))
    twin = api.post(f"/core/companies/{QUICKBOOKS}/invoice_payments", json={"data": {
        "document_number": "RCPT-0", "invoice_id": first["invoice_id"], "amount": 100.10,
        "currency_id": "USD", "payment_date": "2026-03-31T10:00:00Z"}}).json()["data"]
    posted = CliRunner().invoke(cli, ["posted", str(path), "--from", "2026-03-01", "--to", "2026-03-31"])
    assert posted.exit_code == 0, posted.output
    ledger, ledger_headers = totals_rows(path, LEDGER_TABLE)
    assert ledger_headers[:5] == ["type", "currency", "line", "amount", "count"]
    platform_usd = next(v for k, v in ledger.items() if k[:2] == ("Payments", "USD") and k[2].startswith("In the"))
    assert platform_usd[:2] == (4, "400.70")
    assert ledger["Payments", "USD", "from this workbook (by rootfi_id)"][:2] == (3, "300.60")
    assert ledger["Payments", "USD", "from elsewhere"][:2] == (1, "100.10")
    assert ledger["Payments", "USD", "This workbook's Created rows"][:2] == (3, "300.60")
    assert ledger["Payments", "USD", "Difference: platform - workbook Created"] == (1, "100.10", None)
    named = ledger["Payments", "USD", "made up of"][2]
    assert f"rootfi_id {twin['rootfi_id']} (RCPT-0)" in named and "possible duplicate" in named
    assert f"rootfi_id {first['rootfi_id']}" in named and f"{PAYMENTS.sheet} row 2" in named
    assert ledger["Payments", fx, "Difference: platform - workbook Created"] == (0, "0.00", None)
    assert ("Payments", fx, "made up of") not in ledger
    credit = ledger["Credit notes", note_currency, "Difference: platform - workbook Created"]
    assert credit == (0, "0.00", None)  # compared before tax, as the workbook sums them
    assert f"rootfi_id {twin['rootfi_id']} (RCPT-0)" in posted.output
    # The control totals are still there beside the ledger, unchanged.
    assert totals_rows(path)[0] == expected
    return path


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(not (SOFFICE and PDFTOTEXT), reason="LibreOffice (soffice) and poppler (pdftotext) are needed to "
                    "print the workbook: apt-get install libreoffice-calc poppler-utils")
def test_the_totals_sheet_prints_readable_on_one_page(sandbox, api_key, tmp_path, monkeypatch):
    path = submit_and_post(sandbox, api_key, tmp_path, monkeypatch)
    out = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"  # its own LibreOffice profile: tests may run side by side
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=240)
    pdf = out / "book.pdf"
    pages = []
    page = 1
    while True:
        done = subprocess.run([PDFTOTEXT, "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or "<page" not in done.stdout:
            break
        pages.append((" ".join(html.unescape(w) for w in re.findall(r">([^<]*)</word>", done.stdout)), done.stdout))
        page += 1
    on_totals = [(text, boxes) for text, boxes in pages if "Control totals:" in text or "Against the ledger" in text
                 or "made up of" in text or "KWD 3" in text]
    assert len(on_totals) == 1, f"the Totals sheet printed on {len(on_totals)} pages"
    text, boxes = on_totals[0]
    for words in ("Control totals:", "Against the ledger", "made up of", "KWD 3)", "300.60", "possible duplicate of",
                  "Check: entered - created - not yet created"):
        assert words in text, words
    # Readable: the page is scaled to fit, but its letters stay at least 4.5 points high (11 at 100%).
    heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)]
    assert heights and sorted(heights)[len(heights) // 2] >= 4.5, sorted(heights)[len(heights) // 2]
