"""A record's fingerprint is its identity in every journal ever written: a journal kept from
an earlier version of the add-in must still know the records it sent, or an unchanged row
with an accented name (Zoë, Søn, €) is sent a second time after an update. The fingerprint
is the SHA-256 of the place and the body as compact, sorted JSON in UTF-8 (characters as
they are, never \\u escapes), as it has been since the journal was first written."""

from __future__ import annotations

import hashlib

from rootfi_excel.submission.journal import fingerprint

BODY = {"memo": "Zoë & Søn — € 5", "amount": 5.0, "document_number": "CHQ-ü1"}
# What every version so far journalled for BODY at this place.
JOURNALLED = "0513d778a8aec868862da51938f76b0e3028dd0695359db1c74c62e647ed7613"


def test_a_record_with_accented_text_keeps_the_fingerprint_earlier_versions_journalled():
    assert fingerprint("https://api.rootfi.dev/v3/", 1001, "invoice_payments", BODY) == JOURNALLED


def test_the_fingerprint_is_of_the_text_as_written_not_escaped():
    text = ('https://api.rootfi.dev/v3\n1001\ninvoice_payments\n'
            '{"amount":5.0,"document_number":"CHQ-ü1","memo":"Zoë & Søn — € 5"}')
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == JOURNALLED
