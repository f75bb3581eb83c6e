"""The messages a person reads (rootfi_excel/messages.py): their words, and what to do."""

from __future__ import annotations

import re

import pytest

from rootfi_excel import messages
from rootfi_excel.api.errors import NetworkError
from rootfi_excel.fields.rules import CREDIT_NOTE_LINE_RULES, CREDIT_NOTE_RULES, PAYMENT_RULES
from rootfi_excel.submission.jobs import describe_error

ENGINEER_WORDS = re.compile(r"lost answer|platform-denied|invalid-params|ConnectError|Errno|fingerprint|journal|"
                            r"\bsync\b|HTTP|exception", re.IGNORECASE)
TABLE = [value for name, value in vars(messages).items()
         if name.isupper() and isinstance(value, str) and name != "DEFAULT_BASE_URL"]


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
                       "Correct the row, then press Submit again.")
    assert messages.platform_refused(None, "").startswith("The platform refused this row without saying why")
    job = describe_error({"code": "platform-denied", "message": "amount is more than due."})
    assert job == "amount is more than due" and "platform-denied" not in job  # the code stays in the journal
    assert messages.platform_refused("XERO", job) == ("Xero refused this row: amount is more than due. "
                                                      "Correct the row, then press Submit again.")
    # "Could not reach RootFi: ConnectError: [Errno -2] Name or service not known" (which address?)
    error = NetworkError("ConnectError: [Errno -2] Name or service not known")
    text = messages.unreachable("https://api.exmaple.com/v4", error)
    assert "api.exmaple.com" in text and "spelling" in text and "Errno" not in text
    assert "https://api.example.com/v4" in messages.unreachable("https://api.example.com/v4", NetworkError("x"))
    local = messages.unreachable("http://127.0.0.1:39231/v4", NetworkError("ConnectError: refused"))
    assert "127.0.0.1:39231" in local and "rootfi-excel demo again" in local
