"""The twin check after sending looks records up a group of lookup chunks at a time (only
that group's records in memory), and grouping costs no request: each group's numbers are
cut into the very chunks the whole list would be cut into."""

from __future__ import annotations

from rootfi_excel.api.client import chunk_for_lookup
from rootfi_excel.submission.context import Item
from rootfi_excel.submission.platform_check import TWIN_GROUP_CHUNKS, _twin_groups


def item(number: str) -> Item:
    return Item(0, {"document_number": number}, f"fp-{number}")


def test_groups_are_whole_lookup_chunks_and_every_item_is_in_one():
    numbers = [f"PAY-{n:06d}" for n in range(9_000)]
    items = [item(number) for number in reversed(numbers)] + [item("PAY-000007")]  # a number twice
    groups = _twin_groups(items)
    whole = list(chunk_for_lookup(sorted(set(numbers))))
    assert len(whole) > TWIN_GROUP_CHUNKS  # more than one group
    assert len(groups) == -(-len(whole) // TWIN_GROUP_CHUNKS)
    asked = [chunk for group in groups for chunk in chunk_for_lookup(sorted({i.number for i in group}))]
    assert asked == whole  # the same requests as one lookup of every number
    assert sorted(id(i) for group in groups for i in group) == sorted(id(i) for i in items)


def test_with_long_chunks_a_group_holds_no_more_numbers_in_fewer_chunks():
    from rootfi_excel.api.client import LONG_LOOKUP_BUDGET, LOOKUP_QUERY_BUDGET

    numbers = [f"PAY-{n:06d}" for n in range(20_000)]
    items = [item(number) for number in numbers]
    short, long = _twin_groups(items), _twin_groups(items, LONG_LOOKUP_BUDGET)
    whole = list(chunk_for_lookup(numbers, LONG_LOOKUP_BUDGET))
    asked = [chunk for group in long for chunk in chunk_for_lookup(sorted({i.number for i in group}), LONG_LOOKUP_BUDGET)]
    assert asked == whole  # the same requests as one long lookup of every number
    assert max(map(len, long)) <= max(map(len, short))  # no more numbers (records) in memory at once
    assert all(len(list(chunk_for_lookup(sorted({i.number for i in g}), LONG_LOOKUP_BUDGET)))
               <= TWIN_GROUP_CHUNKS * LOOKUP_QUERY_BUDGET // LONG_LOOKUP_BUDGET for g in long)


def test_a_budget_longer_than_a_whole_group_still_groups_one_chunk_at_a_time():
    """A lookup budget over TWIN_GROUP_CHUNKS short chunks' worth (a longer LONG_LOOKUP_BUDGET
    one day) still makes groups of one whole chunk each, every item in one of them."""
    from rootfi_excel.api.client import LOOKUP_QUERY_BUDGET

    budget = 3 * TWIN_GROUP_CHUNKS * LOOKUP_QUERY_BUDGET
    numbers = [f"PAY-{n:06d}" for n in range(1_500)]  # more than one chunk even at this budget
    items = [item(number) for number in numbers]
    whole = list(chunk_for_lookup(numbers, budget))
    assert len(whole) > 1
    groups = _twin_groups(items, budget)
    assert [sorted({i.number for i in group}) for group in groups] == whole
