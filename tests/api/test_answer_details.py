"""Details of reading RootFi's answers that decide what happens next: the cursor of a page
nested in `data` (the next page is read from there, else from the outer answer), and the
models a sync names (its own data_model counts, so a colleague's bulk write of another
model is not waited for)."""

from __future__ import annotations

from rootfi_excel.api.answers import Sync, page_of


def test_a_page_nested_in_data_takes_its_own_cursor_first_then_the_outer_one():
    nested = {"data": {"data": [{"rootfi_id": 1}], "next": "inner"}, "next": "outer"}
    assert page_of(nested, limit=None) == ([{"rootfi_id": 1}], "inner")
    outer_only = {"data": {"data": [{"rootfi_id": 1}]}, "next": "outer"}
    assert page_of(outer_only, limit=None) == ([{"rootfi_id": 1}], "outer")
    flat = {"data": [{"rootfi_id": 2}], "next": "flat"}
    assert page_of(flat, limit=None) == ([{"rootfi_id": 2}], "flat")


def test_the_models_of_a_sync_include_its_own_data_model():
    assert Sync(sync_id="S1", status="RUNNING", data_model="invoice_payments").models() == {"INVOICE_PAYMENTS"}
    both = Sync(sync_id="S2", status="RUNNING", data_model="invoices", sync_data_models=["invoice_credit_notes"])
    assert both.models() == {"INVOICES", "INVOICE_CREDIT_NOTES"}
    assert Sync(sync_id="S3", status="RUNNING").models() == set()


def test_an_answer_that_is_not_a_list_is_named_by_its_kind():
    import pytest

    from rootfi_excel.errors import UnexpectedAnswerError

    for body, said in [(None, "was empty"), ("oops", "was text"), (7.5, "was a number"), (7, "was a number"),
                       (True, "was true or false"), ({"data": 3}, "data was a number"),
                       ({"data": None}, "data was empty"), ({"data": (1, 2)}, "data was a list"),
                       ({"data": {"x": 1}}, "data was an object"), ({"data": "x"}, "data was text")]:
        with pytest.raises(UnexpectedAnswerError) as refused:
            page_of(body, limit=None)
        assert said in str(refused.value), (body, str(refused.value))
