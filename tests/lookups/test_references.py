"""Lookups that never pick the wrong record: a stale cache never pays a void
invoice, a name is never folded into another, no cache means not checked (said), and every
command finds the same cache.

Every case over HTTP against the sandbox, through the commands a person runs: the
platform changes under the cache (an invoice voided and re-issued under its number,
paid, moved to another customer, a customer deleted, an account archived), and Submit
reads every reference by id just before sending; names resolve only when exact; without
lookups Validate reads ids from the platform or says they were not checked; the same
Settings and options find the same lists in every command.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import cli
from rootfi_excel.sheets.layout import CREDIT_NOTE_LINES, PAYMENTS, Status
from tests.support.sandbox_api import QUICKBOOKS, XERO, client, lookup
from tests.support.books import LINE_HEADERS, PAYMENT_HEADERS, row_of, write_book
from tests.support.cli_books import table_rows

DATE = dt.datetime(2026, 3, 31)
NOT_CHECKED = "refresh the lookups (or type the id)"


def run(args, *, key: str | None = None):
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"ROOTFI_API_KEY": key} if key else None)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def settings_for(sandbox, company: int, **more) -> dict:
    return {"company_id": company, "environment": "sandbox", "base_url": sandbox.base_url, **more}


def pay(number: str, invoice: str, amount: float = 10.0, **more) -> list:
    return row_of(PAYMENT_HEADERS, document_number=number, invoice_id=invoice, amount=amount, payment_date=DATE,
                  **more)


def payments_in(sandbox, api_key: str, company: int) -> list[dict]:
    return client(sandbox, api_key).get(f"/core/companies/{company}/invoice_payments",
                                        params={"limit": 1000}).json()["data"]


def invoices_of(api, company: int, count: int, **filters) -> list[dict]:
    answer = api.get(f"/core/companies/{company}/shared/invoices",
                     params={"limit": 200, "status[eq]": "SUBMITTED", **filters}).json()["data"]
    assert len(answer) >= count
    return answer[:count]


# ------------------------------------------------------------ 1. checked when sending


def test_a_void_invoice_reissued_under_its_number_is_never_paid(sandbox, api_key, tmp_path):
    """The issue's case: INV-A voided and re-issued under the same number an hour after the
    refresh (well inside the 24-hour limit). Submit paid the void invoice; now the row is
    Invalid, names the column and the void invoice, and nothing is sent. After Refresh
    lookups the number is the new invoice, and that one is paid."""
    api = client(sandbox, api_key)
    invoice = invoices_of(api, XERO, 1)[0]
    book = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, [pay("RCPT-V", invoice["document_number"])]),
                      settings=settings_for(sandbox, XERO, integration="XERO"))
    assert run(["lookups", book], key=api_key).exit_code == 0
    void, reissued = sandbox.void_and_reissue(XERO, invoice["platform_id"])
    assert reissued["document_number"] == invoice["document_number"] != "" and reissued["platform_id"] != void["platform_id"]

    first = run(["submit", book, "--yes"], key=api_key)
    assert first.exit_code == 1, first.output
    [row] = table_rows(book, PAYMENTS.sheet)
    assert row["status"] == Status.INVALID and not row["rootfi_id"], row
    assert row["message"].startswith(f"invoice_id: invoice {invoice['document_number']} (id {void['platform_id']}")
    assert "is void in Xero (checked just before sending); not sent: refresh the lookups" in row["message"]
    assert payments_in(sandbox, api_key, XERO) == []  # the platform would have taken it: nothing was sent

    assert run(["lookups", book], key=api_key).exit_code == 0  # the number is now the re-issued invoice
    second = run(["submit", book, "--yes"], key=api_key)
    assert second.exit_code == 0, second.output
    [row] = table_rows(book, PAYMENTS.sheet)
    assert row["status"] == Status.CREATED, row
    [made] = payments_in(sandbox, api_key, XERO)
    assert made["invoice_id"] == reissued["platform_id"] and str(made["rootfi_id"]) == str(row["rootfi_id"])


def test_paid_moved_deleted_and_archived_references_are_refused_when_sending(sandbox, api_key, tmp_path):
    """After the refresh the platform changes under five rows; QuickBooks would accept most
    of them (it takes over-payments): each row is Invalid with its reason and column, and
    only the untouched row is sent."""
    api = client(sandbox, api_key)
    paid, moved, owned, gone, fine, other = invoices_of(api, QUICKBOOKS, 6)
    stranger = next(c for c in api.get(f"/core/companies/{QUICKBOOKS}/shared/contacts",
                                       params={"limit": 100, "contact_type[eq]": "CUSTOMER"}).json()["data"]
                    if c["platform_id"] not in (moved["contact_id"], owned["contact_id"]))
    savings = lookup(api, QUICKBOOKS, "accounts", **{"name[eq]": "Business Savings"})
    rows = [pay("P-PAID", paid["document_number"]),
            pay("P-MOVED", moved["document_number"]),  # no customer typed: the one Validate saw counts
            pay("P-OWNER", owned["document_number"], contact_id=owned["contact_id"]),
            pay("P-GONE", gone["document_number"]),
            pay("P-ACCOUNT", other["document_number"], account_id="Business Savings"),
            pay("P-FINE", fine["document_number"])]
    book = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows),
                      settings=settings_for(sandbox, QUICKBOOKS, integration="QUICKBOOKS"))
    assert run(["lookups", book], key=api_key).exit_code == 0
    validated = run(["validate", book], key=api_key)
    assert validated.exit_code == 0, validated.output  # all fine against the lookups

    sandbox.change_record(QUICKBOOKS, "invoices", paid["platform_id"], amount_due=0.0, status="PAID")  # a colleague
    sandbox.change_record(QUICKBOOKS, "invoices", moved["platform_id"], contact_id=stranger["platform_id"])
    sandbox.change_record(QUICKBOOKS, "contacts", owned["contact_id"], delete=True)
    sandbox.change_record(QUICKBOOKS, "invoices", gone["platform_id"], delete=True)
    sandbox.change_record(QUICKBOOKS, "accounts", savings["platform_id"], status="ARCHIVED")

    result = run(["submit", book, "--yes"], key=api_key)
    assert result.exit_code == 1, result.output
    got = {r["document_number"]: r for r in table_rows(book, PAYMENTS.sheet)}
    assert got["P-FINE"]["status"] == Status.CREATED
    expected = {
        "P-PAID": f"invoice_id: invoice {paid['document_number']} (id {paid['platform_id']}",
        "P-MOVED": f"invoice_id: invoice {moved['document_number']} (id {moved['platform_id']}",
        "P-OWNER": f"contact_id: contact ",
        "P-GONE": f"invoice_id: invoice {gone['document_number']} (id {gone['platform_id']}",
        "P-ACCOUNT": "account_id: account Business Savings (id ",
    }
    reasons = {"P-PAID": "is paid in QuickBooks", "P-MOVED": f"now belongs to {stranger['name']}",
               "P-OWNER": "was deleted in QuickBooks", "P-GONE": "was deleted in QuickBooks",
               "P-ACCOUNT": "is archived in QuickBooks"}
    for number, start in expected.items():
        row = got[number]
        assert row["status"] == Status.INVALID and not row["rootfi_id"], row
        assert row["message"].startswith(start) and reasons[number] in row["message"], row["message"]
        assert "not sent: refresh the lookups" in row["message"]
    assert [p["document_number"] for p in payments_in(sandbox, api_key, QUICKBOOKS)] == ["P-FINE"]


def test_the_references_of_a_whole_send_are_read_in_one_request_per_kind(sandbox, api_key, tmp_path):
    """50 payments on 50 invoices and their customers and accounts: three reads (invoices,
    contacts, accounts) and one for the currencies Validate did not confirm, not one per row."""
    from rootfi_excel.api.client import RootFiClient
    from tests.support.submitting import fast_client_options, payment_units, submitter

    reads: list[tuple[str, int]] = []

    class Counting(RootFiClient):
        def find_by_platform_ids(self, company_id, name, ids):
            ids = list(ids)
            reads.append((name, len(ids)))
            return super().find_by_platform_ids(company_id, name, ids)

    api = Counting(api_key, base_url=sandbox.base_url, **fast_client_options())
    units = payment_units(api, QUICKBOOKS, 50, "QUICKBOOKS")
    engine, _ = submitter(api, tmp_path / "j.sqlite3", sandbox, QUICKBOOKS, "QUICKBOOKS", batch_size=10)
    report = engine.submit("invoice_payments", units)
    assert {o.status for o in report.outcomes.values()} == {Status.CREATED}
    assert sorted(name for name, _ in reads) == ["accounts", "contacts", "currencies", "invoices"]
    assert dict(reads)["invoices"] == 50


def test_a_batch_sent_long_after_the_read_is_read_again_first(tmp_path):
    """Reads stay good for FRESH_FOR seconds: a later batch (a long run, the rate limit)
    reads its references again, and an invoice voided meanwhile stops that batch only."""
    from rootfi_excel.submission.journal import Journal
    from rootfi_excel.submission.references import FRESH_FOR
    from tests.support.fake_api import FakeApi, engine, pay as payment, payments

    class SlowWrites(FakeApi):
        def create_async(self, company_id, model, bodies):
            self.clock.sleep(FRESH_FOR * 0.7)  # each bulk write takes a while
            if len(self.syncs) == 1:  # while the second is sent, someone voids INV-3
                self.references["invoices"] = {"INV-3": {"rootfi_id": 9, "platform_id": "INV-3", "status": "VOID",
                                                         "document_number": "3", "amount_due": 0}}
            return super().create_async(company_id, model, bodies)

    api = SlowWrites()
    units = payments([payment(f"P-{n}", f"INV-{n // 2 + 1}", 5.0) for n in range(6)])  # INV-1, INV-1, INV-2, ...
    with Journal(tmp_path / "j.sqlite3") as journal:
        report = engine(api, journal, batch_size=2, sync_threshold=1, check_twins=False).submit("invoice_payments",
                                                                                             units)
    assert api.reference_reads == 2  # once for the whole send, once more before the third batch
    statuses = [report.outcomes[i].status for i in range(6)]
    assert statuses == [Status.CREATED] * 4 + [Status.INVALID] * 2
    assert report.outcomes[4].message.startswith("invoice_id: invoice 3 (id INV-3) is void")


# ----------------------------------------------------------------- 2. strict names


@pytest.mark.parametrize(("typed", "stored", "same"), [
    ("Straße GmbH", "straße  gmbh", True),          # case and spaces aside
    ("ACME\u00a0Corp ", "acme corp", True),          # a non-breaking space is a space
    ("ΟΔΟΣ Ltd", "οδος ltd", True),                   # Greek final sigma, as lower() knows it
    ("Cafe\u0301", "Café", True),                     # one text in Unicode (NFC)
    ("Strasse GmbH", "Straße GmbH", False),           # ß is not ss (str.casefold would say it is)
    ("STRASSE GMBH", "Straße GmbH", False),
    ("STRAẞE GMBH", "straße gmbh", False),            # capital sharp s: lower() alone would match
    ("ACME Corp", "ＡＣＭＥ Corp", False),            # full-width letters (a compatibility form)
    ("Omega", "Ｏmega", False),
    ("ACME Corp", "АСМЕ Corp", False),                # Cyrillic look-alikes
    ("Cafe", "Café", False),                          # an accent
    ("ﬁsh", "fish", False),                           # a ligature
    ("Istanbul", "İstanbul", False),
])
def test_names_are_equal_only_when_exact_case_and_spaces_aside(typed, stored, same):
    from rootfi_excel.lookups.names import near_key, same_name

    assert same_name(typed, stored) is same
    assert same_name(stored, typed) is same
    assert near_key(typed) == near_key(stored)  # each is the other's near match


def test_folded_names_are_refused_naming_the_record_they_look_like(sandbox, api_key, tmp_path):
    """The issue's case: credit notes for "Strasse GmbH", "ACME Corp" and "Omega" (new
    customers, made after the refresh) went to the cached "Straße GmbH", "ＡＣＭＥ Corp" and
    "Ｏmega". Now each is refused with "did you mean" naming that record and its id; the
    exact name (case and spaces aside) resolves; after Refresh lookups the new customers do."""
    api = client(sandbox, api_key)
    customers = api.get(f"/core/companies/{XERO}/shared/contacts",
                        params={"limit": 3, "contact_type[eq]": "CUSTOMER"}).json()["data"]
    old = {}
    for record, name in zip(customers, ("Straße GmbH", "ＡＣＭＥ Corp", "Ｏmega")):
        old[name] = sandbox.change_record(XERO, "contacts", record["platform_id"], name=name)
    line = dict(posted_date=DATE, quantity=1, unit_amount=10.0, account_id="Sales Returns and Allowances")
    typed = ["Strasse GmbH", "ACME Corp", "Omega", "straße  GMBH", "АСМЕ Corp", "STRASSE GMBH"]
    rows = [row_of(LINE_HEADERS, document_number=f"CN-{n}", contact_id=name, **line) for n, name in enumerate(typed)]
    book = write_book(tmp_path / "book.xlsx", credit_notes=(LINE_HEADERS, rows),
                      settings=settings_for(sandbox, XERO, integration="XERO"))
    assert run(["lookups", book], key=api_key).exit_code == 0
    new = {name: sandbox.add_record(XERO, "contacts", name=name, contact_type="CUSTOMER", currency_id="GBP",
                                    status="ACTIVE") for name in ("Strasse GmbH", "ACME Corp", "Omega")}

    assert run(["validate", book], key=api_key).exit_code == 1
    got = table_rows(book, CREDIT_NOTE_LINES.sheet)
    meant = {0: "Straße GmbH", 1: "ＡＣＭＥ Corp", 2: "Ｏmega", 4: "ＡＣＭＥ Corp", 5: "Straße GmbH"}
    for index, name in meant.items():
        message = got[index]["message"]
        assert got[index]["status"] == Status.INVALID, got[index]
        assert message.startswith(f"contact_id: '{typed[index]}' is not a known contact id or name; did you mean "
                                  f"{name} (id {old[name]['platform_id']}, CUSTOMER"), message
        assert "A name is used only when it is the platform's exactly (case and spaces aside)" in message
        assert "refresh them if it is new" in message  # it may be a customer made since
    assert got[3]["status"] == Status.VALID
    assert f"'straße  GMBH' is contact {old['Straße GmbH']['platform_id']}" in got[3]["message"]

    assert run(["submit", book, "--yes"], key=api_key).exit_code == 1
    notes = client(sandbox, api_key).get(f"/core/companies/{XERO}/invoice_credit_notes").json()["data"]
    assert [(n["document_number"], n["contact_id"]) for n in notes] == [("CN-3", old["Straße GmbH"]["platform_id"])]

    assert run(["lookups", book], key=api_key).exit_code == 0  # the new customers are in the lists now
    assert run(["validate", book], key=api_key).exit_code == 1
    got = table_rows(book, CREDIT_NOTE_LINES.sheet)
    for index, name in ((0, "Strasse GmbH"), (1, "ACME Corp"), (2, "Omega"), (5, "Strasse GmbH")):
        assert got[index]["status"] == Status.VALID and new[name]["platform_id"] in got[index]["message"], got[index]
    # Cyrillic look-alikes are still no one's name: both records it looks like are named
    assert got[4]["status"] == Status.INVALID
    assert "did you mean" in got[4]["message"]
    assert f"ACME Corp (id {new['ACME Corp']['platform_id']}" in got[4]["message"]
    assert f"ＡＣＭＥ Corp (id {old['ＡＣＭＥ Corp']['platform_id']}" in got[4]["message"]


def test_a_name_only_like_a_record_is_refused_by_the_worksheet_functions_too(sandbox, api_key):
    from rootfi_excel import udfs
    from rootfi_excel.lookups.cache import LookupCache
    from rootfi_excel.lookups.refresh import refresh
    from tests.support.cache_keys import key
    from tests.support.submitting import fast_client
    from tests.support.udf_cells import sandbox_cell

    customer = client(sandbox, api_key).get(f"/core/companies/{XERO}/shared/contacts",
                                            params={"limit": 1, "contact_type[eq]": "CUSTOMER"}).json()["data"][0]
    sandbox.change_record(XERO, "contacts", customer["platform_id"], name="Straße GmbH")
    with LookupCache() as cache:
        assert refresh(fast_client(sandbox, api_key), cache, key(sandbox.base_url, XERO)).ok
    cell = sandbox_cell(sandbox, XERO)
    assert udfs.ROOTFI_CONTACT("STRASSE GMBH", "id", caller=cell).startswith(
        f"#N/A: 'STRASSE GMBH' is not a known contact id or name; did you mean Straße GmbH (id {customer['platform_id']}")
    assert udfs.ROOTFI_CONTACT("straße gmbh", "id", caller=cell) == customer["platform_id"]


# ------------------------------------------------------------------- 3. no cache


def test_without_lookups_validate_reads_the_ids_from_the_platform(sandbox, api_key, tmp_path):
    """No cache: an invoice number or a customer name typed in an id column passed as Valid
    and went out as an id. Now Validate reads the ids by id and refuses what is not one."""
    api = client(sandbox, api_key)
    first, second, deleted = invoices_of(api, XERO, 3)
    sandbox.change_record(XERO, "invoices", deleted["platform_id"], delete=True)
    owner = api.get(f"/core/companies/{XERO}/shared/contacts",
                    params={"platform_id[eq]": first["contact_id"]}).json()["data"][0]
    rows = [pay("R-1", first["platform_id"], contact_id=first["contact_id"]),
            pay("R-2", second["document_number"]),         # an invoice number: not an id
            pay("R-3", first["platform_id"], contact_id=owner["name"]),  # a customer name: not an id
            pay("R-4", deleted["platform_id"])]
    book = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows),
                      settings=settings_for(sandbox, XERO, integration="XERO"))
    result = run(["validate", book], key=api_key)
    assert result.exit_code == 1, result.output
    assert "the ids of the rows were checked in the platform" in result.output
    got = table_rows(book, PAYMENTS.sheet)
    assert got[0]["status"] == Status.VALID and not got[0]["message"], got[0]
    assert got[1]["status"] == Status.INVALID and got[1]["message"] == (
        f"invoice_id: '{second['document_number']}' is not the id of any invoice in Xero (names and numbers are only "
        f"found with the lookups): {NOT_CHECKED}")
    assert got[2]["status"] == Status.INVALID and got[2]["message"].startswith(
        f"contact_id: '{owner['name']}' is not the id of any contact in Xero")
    assert got[3]["status"] == Status.INVALID and "was deleted" in got[3]["message"]


def test_without_lookups_or_a_key_the_rows_say_what_was_not_checked(make_sandbox, tmp_path):
    sandbox = make_sandbox(trusted=False)  # no key stored for its address on this computer
    rows = [pay("R-1", "INV-10001", contact_id="Acme Ltd"), pay("R-2", "INV-10002", amount=None)]
    book = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows),
                      settings=settings_for(sandbox, XERO, integration="XERO"))
    result = run(["validate", book])
    assert "References were not checked: there are no lookups of company 1002" in result.output
    assert "and the ids could not be read from RootFi instead (The API key was not sent: " in result.output
    got = table_rows(book, PAYMENTS.sheet)
    assert got[0]["status"] == Status.VALID
    assert got[0]["message"] == f"not checked (invoice_id, contact_id): {NOT_CHECKED}"
    assert got[1]["status"] == Status.INVALID and got[1]["message"].startswith("amount")


def test_without_lookups_submit_never_sends_a_name_as_an_id(sandbox, api_key, tmp_path):
    """Submit reads every id just before sending: a customer name typed in contact_id is
    not sent (the platform refused it before, and where such a text is an id it would land
    on the wrong record); a refusal by the platform of an id says to refresh the lookups."""
    api = client(sandbox, api_key)
    first, second, third = invoices_of(api, XERO, 3)
    owner = api.get(f"/core/companies/{XERO}/shared/contacts",
                    params={"platform_id[eq]": first["contact_id"]}).json()["data"][0]
    payable = lookup(api, XERO, "accounts", **{"name[eq]": "Accounts Payable"})
    rows = [pay("S-1", first["platform_id"], contact_id=owner["name"]),
            pay("S-2", second["platform_id"]),
            pay("S-3", third["platform_id"], account_id=payable["platform_id"])]  # only the platform refuses this
    book = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows),
                      settings=settings_for(sandbox, XERO, integration="XERO"))
    result = run(["submit", book, "--yes"], key=api_key)
    assert result.exit_code == 1, result.output
    got = {r["document_number"]: r for r in table_rows(book, PAYMENTS.sheet)}
    assert got["S-1"]["status"] == Status.INVALID and got["S-1"]["message"].startswith(
        f"contact_id: Xero has no contact with the id '{owner['name']}' (checked just before sending")
    assert NOT_CHECKED in got["S-1"]["message"]
    assert got["S-2"]["status"] == Status.CREATED
    assert got["S-3"]["status"] == Status.FAILED and "cannot receive payments" in got["S-3"]["message"]
    assert "refresh the lookups, then validate again" in got["S-3"]["message"]
    assert sorted(p["document_number"] for p in payments_in(sandbox, api_key, XERO)) == ["S-2"]


# ------------------------------------------------------------ 4. one place for the cache


def test_every_command_finds_the_lists_of_the_same_settings_and_options(sandbox, api_key, tmp_path):
    """`lookups --base-url X` then `validate` checked offline only (validate had no
    --base-url), while `submit --base-url X` found the cache. Now each command takes
    --base-url (and --company, --profile) and finds the same lists for the same options."""
    api = client(sandbox, api_key)
    invoice = invoices_of(api, XERO, 1)[0]
    owner = api.get(f"/core/companies/{XERO}/shared/contacts",
                    params={"platform_id[eq]": invoice["contact_id"]}).json()["data"][0]
    rows = [pay("B-1", invoice["document_number"], contact_id=owner["name"])]  # a number and a name
    production = "https://api.rootfi.dev/v4"  # the Settings' address: unreachable here, never asked
    book = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, rows),
                      settings={"company_id": XERO, "integration": "XERO", "base_url": production})
    here = ["--base-url", sandbox.base_url]
    assert run(["lookups", book, *here], key=api_key).exit_code == 0

    elsewhere = run(["validate", book])  # Settings' address: no lists there (and no key to read ids)
    assert f"no lookups of company {XERO} at {production} (key profile 'default')" in elsewhere.output
    assert f"this computer has them for {sandbox.base_url}, key profile 'default'" in elsewhere.output

    validated = run(["validate", book, *here])  # no key needed: the lists are on this computer
    assert validated.exit_code == 0, validated.output
    [row] = table_rows(book, PAYMENTS.sheet)
    assert f"'{invoice['document_number']}' is invoice {invoice['platform_id']}" in row["message"]
    assert f"'{owner['name']}' is contact {owner['platform_id']}" in row["message"]

    assert run(["submit", book, *here, "--yes"], key=api_key).exit_code == 0
    [made] = payments_in(sandbox, api_key, XERO)
    assert (made["invoice_id"], made["contact_id"]) == (invoice["platform_id"], owner["platform_id"])

    posted = run(["posted", book, *here, "--from", "2026-03-01", "--to", "2026-03-31"], key=api_key)
    assert posted.exit_code == 0, posted.output
    from tests.support.cli_runs import live_table

    [listed] = live_table(book, "Posted", "PostedRecords")
    assert listed["customer"] == owner["name"] and listed["invoice"] == invoice["document_number"]  # from the lists


@pytest.mark.reads_sandbox
def test_lists_read_with_one_key_profile_are_not_used_for_another(sandbox, api_key, tmp_path):
    invoice = invoices_of(client(sandbox, api_key), XERO, 1)[0]
    book = write_book(tmp_path / "book.xlsx", payments=(PAYMENT_HEADERS, [pay("K-1", invoice["document_number"])]),
                      settings=settings_for(sandbox, XERO, integration="XERO"))
    assert run(["lookups", book, "--profile", "team"], key=api_key).exit_code == 0
    mine = run(["validate", book])  # key profile 'default' (Settings): those lists are not its
    assert f"this computer has them for {sandbox.base_url}, key profile 'team'" in mine.output
    # read by id with the default profile's key instead: the invoice number is not resolved
    assert table_rows(book, PAYMENTS.sheet)[0]["message"].startswith(
        f"invoice_id: '{invoice['document_number']}' is not the id of any invoice")
    theirs = run(["validate", book, "--profile", "team"])
    assert theirs.exit_code == 0, theirs.output
    assert f"is invoice {invoice['platform_id']}" in table_rows(book, PAYMENTS.sheet)[0]["message"]


@pytest.mark.reads_sandbox
def test_the_ribbon_and_the_worksheet_functions_use_the_settings_key_profile(sandbox, api_key, tmp_path):
    from rootfi_excel import udfs
    from tests.support.udf_cells import cell_of

    invoice = invoices_of(client(sandbox, api_key), XERO, 1)[0]
    book = write_book(tmp_path / "book.xlsx", settings=settings_for(sandbox, XERO, key_profile="team"))
    assert run(["lookups", book], key=api_key).exit_code == 0  # Settings: key profile 'team'
    same = cell_of(settings_for(sandbox, XERO, key_profile="team"))
    other = cell_of(settings_for(sandbox, XERO))  # key profile 'default'
    assert udfs.ROOTFI_INVOICE(invoice["document_number"], "platform_id", caller=same) == invoice["platform_id"]
    assert udfs.ROOTFI_INVOICE(invoice["document_number"], caller=other).startswith("#NO LOOKUPS")


def test_a_cache_from_before_key_profiles_is_dropped_not_guessed(tmp_path):
    from rootfi_excel.lookups.cache import LookupCache
    from tests.support.cache_keys import key

    path = tmp_path / "lookups.sqlite3"
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE companies (id INTEGER PRIMARY KEY, base_url TEXT NOT NULL, company_id INTEGER NOT NULL,
                                refreshed_at TEXT, failed_at TEXT, failure TEXT, UNIQUE (base_url, company_id));
        CREATE TABLE lists (company INTEGER, kind TEXT, refreshed_at TEXT, mark TEXT, PRIMARY KEY (company, kind));
        CREATE TABLE records (company INTEGER, kind TEXT, platform_id TEXT, label TEXT, label_key TEXT, data TEXT,
                              PRIMARY KEY (company, kind, platform_id));
        INSERT INTO companies VALUES (1, 'https://api.example/v4', 7, '2026-03-01T00:00:00+00:00', NULL, NULL);
        INSERT INTO records VALUES (1, 'contacts', 'c1', 'Acme', 'acme', '{"platform_id": "c1", "name": "Acme"}');
        PRAGMA user_version = 1;
    """)
    old.close()
    with LookupCache(path) as cache:  # which key read them cannot be known: they are not used
        assert cache.company(key("https://api.example/v4", 7)) is None
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT COUNT(*) FROM records").fetchone()[0] == 0
        assert "key_profile" in {r[1] for r in db.execute("PRAGMA table_info(companies)")}
