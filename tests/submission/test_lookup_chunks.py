"""A lookup of many document numbers goes out in chunks that each fit a query (a URL has a
length limit), every number asked for once, and the answers of every chunk kept."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from rootfi_excel.api.client import LOOKUP_QUERY_BUDGET
from rootfi_excel.submission.lookups import lookup


class Recording:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.lock = threading.Lock()

    def find_by_document_numbers(self, company_id, model, numbers):
        with self.lock:
            self.calls.append(list(numbers))
        return [{"rootfi_id": f"R-{n}", "document_number": n} for n in numbers]


def test_a_long_lookup_goes_in_chunks_that_each_fit_and_every_answer_is_kept():
    client = Recording()
    numbers = [f"CHQ-{n:06d}" for n in range(3000)] + [None, "CHQ-000001"]
    found = lookup(SimpleNamespace(client=client, company_id=1, model="invoice_payments"), numbers)
    assert len(client.calls) > 1
    assert all(sum(len(n) + 3 for n in call) <= LOOKUP_QUERY_BUDGET for call in client.calls)
    asked = [n for call in client.calls for n in call]
    assert sorted(asked) == sorted(set(asked)) == [f"CHQ-{n:06d}" for n in range(3000)]
    assert len(found) == 3000 and found["CHQ-002999"] == [{"rootfi_id": "R-CHQ-002999", "document_number": "CHQ-002999"}]


def test_a_short_lookup_is_one_query():
    client = Recording()
    found = lookup(SimpleNamespace(client=client, company_id=1, model="invoice_payments"), ["B", "A", "B", None])
    assert client.calls == [["A", "B"]] and set(found) == {"A", "B"}
