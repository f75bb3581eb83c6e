"""The messages a person reads (rootfi_excel/messages.py): their words, and what to do."""

from __future__ import annotations

import re

import pytest

from rootfi_excel import messages
from rootfi_excel.errors import NetworkError
from rootfi_excel.fields.rules import CREDIT_NOTE_LINE_RULES, CREDIT_NOTE_RULES, PAYMENT_RULES
from rootfi_excel.submission.job_results import describe_error

ENGINEER_WORDS = re.compile(r"lost answer|platform-denied|invalid-params|ConnectError|Errno|fingerprint|journal|"
                            r"\bsync\b|HTTP|exception", re.IGNORECASE)
IMPORTED = {"DEFAULT_BASE_URL", "SANDBOX_BASE_URL", "ENV_VAR", "DEFAULT_PROFILE"}  # names, not messages
TABLE = [value for name, value in vars(messages).items()
         if name.isupper() and isinstance(value, str) and name not in IMPORTED]


@pytest.mark.parametrize("text", TABLE + list(messages.ROW_ADVICE.values()))
def test_no_message_in_the_table_speaks_engineer(text):
    assert not ENGINEER_WORDS.search(text), text


def test_every_validation_rule_takes_its_advice_from_the_table():
    advice = set(messages.ROW_ADVICE.values())
    for rule in (*PAYMENT_RULES, *CREDIT_NOTE_RULES, *CREDIT_NOTE_LINE_RULES):
        assert rule.why in advice, rule


def test_the_quoted_messages_are_rewritten():
    # "document_number: is required — Submit uses the payment reference to find a payment again after a lost answer"
    why = messages.ROW_ADVICE["payment", "document_number", "required"]
    assert "lost answer" not in why and "type the payment's reference" in why
    # "RootFi rejected the record (platform-denied): ..."
    refused = messages.platform_refused("MS_DYNAMICS_365", "amount 120.00 is more than the amount due 100.00.")
    assert refused == ("Microsoft Dynamics 365 refused this row: amount 120.00 is more than the amount due 100.00. "
                       "Correct the row, then submit again.")  # a row's words work in Excel and at a terminal
    assert messages.platform_refused(None, "").startswith("The platform refused this row without saying why")
    job = describe_error({"code": "platform-denied", "message": "amount is more than due."})
    assert job == "amount is more than due" and "platform-denied" not in job  # the code stays in the journal
    assert messages.platform_refused("XERO", job) == ("Xero refused this row: amount is more than due. "
                                                      "Correct the row, then submit again.")
    # "Could not reach RootFi: ConnectError: [Errno -2] Name or service not known" (which address?)
    error = NetworkError("ConnectError: [Errno -2] Name or service not known")
    text = messages.unreachable("https://api.exmaple.com/v4", error)
    assert "api.exmaple.com" in text and "spelling" in text and "Errno" not in text
    assert "https://api.example.com/v4" in messages.unreachable("https://api.example.com/v4", NetworkError("x"))
    local = messages.unreachable("http://127.0.0.1:39231/v4", NetworkError("ConnectError: refused"))
    assert "127.0.0.1:39231" in local and "rootfi-excel sandbox --port 39231" in local
    # "its records went with it": not so when the sandbox had a --db, which keeps them (and its key)
    assert "went with it" not in local and "same --db FILE it keeps its records and key" in local


def test_no_message_in_the_table_is_taken_for_a_key_and_hidden():
    # "api_key: <word>" or "ROOTFI_API_KEY: <word>" is what a key looks like to the redaction
    from rootfi_excel.safe_text import redact

    for text in TABLE:
        assert redact(text) == text, text


# Messages said at a command line as well as in Excel (Excel-only ones may name a button).
BOTH_FRONTS = ("NO_LOOKUPS", "LOOKUPS_CACHE_UNREADABLE", "LOOKUPS_OLD", "NO_SHEET", "KEY_REFUSED", "ENV_KEY_REFUSED",
               "RESULTS_KEPT_IN_JOURNAL", "DOCTOR_STORE_A_KEY", "PLATFORM_REFUSED", "PLATFORM_REFUSED_NO_REASON",
               "STOPPED_BY_CTRL_C_BEFORE_SENDING", "AFTER_STOP", "STILL_RUNNING", "LOCAL_SANDBOX_DOWN", "NOT_REACHED")


def test_no_message_in_the_table_names_a_button_outside_its_step():
    # "press Submit again" at a command line is a dead end: a next step is a {step} field
    for name in BOTH_FRONTS:
        assert "press " not in getattr(messages, name).lower(), name


def test_a_next_step_is_a_button_in_excel_and_a_command_at_a_terminal():
    in_excel = messages.words(messages.NO_LOOKUPS, company=1003)
    assert "Press Refresh lookups to check them" in in_excel and "rootfi-excel" not in in_excel
    with messages.at_terminal("March book.xlsx"):
        at_terminal = messages.words(messages.NO_LOOKUPS, company=1003)
        key = messages.key_refused("https://api.example.com/v4", "acme", 1089)
    assert 'Run rootfi-excel lookups "March book.xlsx" to check them' in at_terminal
    assert "Refresh lookups" not in at_terminal
    assert "run rootfi-excel login --profile acme and paste a key of company 1089" in key
    assert "press Set API key on the RootFi tab and paste a key" in messages.key_refused("https://x/v4", "default")
    for name in messages.STEPS:  # every step has both forms
        assert messages.STEPS[name].button.startswith("press ") and "rootfi-excel" in messages.STEPS[name].command


def test_a_refused_key_from_the_environment_says_to_change_the_variable(monkeypatch):
    monkeypatch.setenv("ROOTFI_API_KEY", "rk_wrong")
    with messages.at_terminal("book.xlsx"):
        said = messages.key_refused("https://api.example.com/v4", "default", 1003)
    assert "ROOTFI_API_KEY" in said and "login" not in said and "company 1003" in said


def test_platforms_are_named_and_counts_agree_with_their_words():
    assert messages.platform("NETSUITE") == "NetSuite" and messages.platform("ZOHO_BOOKS") == "Zoho Books"
    assert messages.platform(None) == "the platform"
    assert [messages.plural(n, "line") for n in (0, 1, 2)] == ["0 lines", "1 line", "2 lines"]
    assert messages.plural(1, "invalid row") == "1 invalid row" and messages.plural(3, "credit note") == "3 credit notes"
    assert messages.plural(1, "problem") == "1 problem" and messages.plural(2, "bulk write") == "2 bulk writes"


def test_a_field_a_platform_needs_is_said_as_what_to_type():
    said = messages.required_by("arr_account_id", "NETSUITE", "invoice_payments",
                                "The ID of the account to which the payment is applied.", True)
    assert said == ("arr_account_id: NetSuite needs this on every payment: type the id of the account to which the "
                    "payment is applied")
    assert "add a column named currency_rate" in messages.required_by(
        "currency_rate", "FRESH_BOOKS", "invoice_credit_notes", "The exchange rate.", False)


def test_a_row_never_sent_because_submit_stopped_says_so_once():
    said = messages.stopped_before_sending(messages.STOPPED_BY_CTRL_C)
    assert said == "Not sent: Submit was stopped (Ctrl+C) before this row was sent. Submit again: nothing is sent twice."
    assert said.count("stopped") == 1
