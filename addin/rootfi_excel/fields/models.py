"""Pydantic models of the RootFi unified models we write: invoice payments and invoice
credit notes with their line items.

Requests (what we send) are kept apart from answers (what comes back):

- Request models mirror the API's writable fields exactly. Every field is optional,
  as in the API's schema: what *this template* demands on top lives in `rules.py`.
  Unknown fields are refused, so a typo never silently disappears from a request.
- Answer models accept every field the API sends, including ones we do not know
  (extra="allow"), so nothing from an answer is ever dropped.

Field lists: the v4 pages in the seeds first, then the v3 OpenAPI schemas
(accountingInvoicePaymentsFields, accountingInvoiceCreditNoteFields, LineItemFields).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer


def _number_or_text(value: Any) -> Any:
    """currency_rate is a double on the v4 page but a string in v3 and the v4 example."""
    if isinstance(value, str):
        try:
            return float(value.replace(",", "")) if value.strip() else None
        except ValueError:
            return value  # keep what the API said rather than lose it
    return value


def _iso_date(value: dt.date | dt.datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


# A date we send: ISO 8601 `YYYY-MM-DD`. A date-only value cannot drift a day when a
# platform reads it in another time zone, which a midnight timestamp can.
RequestDate = Annotated[dt.date | str | None, PlainSerializer(_iso_date, when_used="always")]
LenientNumber = Annotated[float | str | None, BeforeValidator(_number_or_text)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_api(self) -> dict[str, Any]:
        """The JSON body of one record: only the fields that have a value."""
        return self.model_dump(mode="json", exclude_none=True)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    # Read-only fields every RootFi record carries (AccountingRootFiBaseFields).
    rootfi_id: int | None = None
    rootfi_created_at: dt.datetime | None = None
    rootfi_updated_at: dt.datetime | None = None
    rootfi_deleted_at: dt.datetime | None = None
    rootfi_company_id: int | None = None
    platform_id: str | None = None
    platform_unique_id: str | None = None
    updated_at: dt.datetime | None = None
    raw_data: dict[str, Any] | None = None
    data_hash: str | None = None


# Each record's fields are listed once (the _...Fields classes) and used by both its
# request and its answer; where the two read a field differently (a date we send as
# text, a rate the API may answer as text), the request or the answer types it again,
# which keeps the field in its place.

# ---------------------------------------------------------------- invoice payments


class _InvoicePaymentFields(BaseModel):
    """accountingInvoicePaymentsFields: a payment's unified fields, in the API's order."""

    payment_id: str | None = None
    invoice_id: str | None = None
    account_id: str | None = None
    credit_note_id: str | None = None
    contact_id: str | None = None
    currency_id: str | None = None
    amount: float | None = None
    currency_rate: float | None = None
    payment_date: dt.date | None = None
    payment_mode: str | None = None
    memo: str | None = None
    document_number: str | None = None


class InvoicePaymentRequest(_Request, _InvoicePaymentFields):
    """accountingInvoicePaymentsFields, as sent to POST .../invoice_payments."""

    payment_date: RequestDate = None
    raw_data: dict[str, Any] | None = None


class InvoicePayment(_InvoicePaymentFields, _Answer):
    """accountingInvoicePaymentsObject, as answered by the API."""

    currency_rate: LenientNumber = None
    payment_date: dt.datetime | dt.date | None = None
    # Expandable relations (expand=invoice,contact,currency,account) are kept as given.
    invoice: dict[str, Any] | None = None
    contact: dict[str, Any] | None = None
    currency: dict[str, Any] | None = None
    account: dict[str, Any] | None = None


# ------------------------------------------------------------ invoice credit notes

LINE_ITEM_TYPES = (
    "BILLS", "INVOICES", "BILL_CREDIT_NOTES", "INVOICE_CREDIT_NOTES",
    "EXPENSES", "PURCHASE_ORDERS", "SALES_ORDERS",
)
CREDIT_NOTE_STATUSES = ("DRAFT", "SUBMITTED", "PARTIALLY_PAID", "PAID", "OVERDUE", "VOID", "UNKNOWN")


class _LineFields(BaseModel):
    """CreateLineItemFields: a line's writable fields, with the v4 name discount_amount
    (v3: total_discount)."""

    account_id: str | None = None
    item_id: str | None = None
    tax_id: str | None = None
    description: str | None = None
    quantity: float | None = None
    unit_amount: float | None = None
    discount_amount: float | None = Field(
        default=None, validation_alias=AliasChoices("discount_amount", "total_discount")
    )
    tracking_category_ids: list[str] | None = None
    project_id: str | None = None


class CreditNoteLineRequest(_Request, _LineFields):
    """CreateLineItemFields with the v4 name discount_amount (v3: total_discount)."""


class _InvoiceCreditNoteFields(BaseModel):
    """accountingInvoiceCreditNoteFields: a credit note's writable fields."""

    contact_id: str | None = None
    document_number: str | None = None
    posted_date: dt.date | None = None
    currency_id: str | None = None
    invoice_ids: list[str] | None = None
    memo: str | None = None


class InvoiceCreditNoteRequest(_Request, _InvoiceCreditNoteFields):
    """accountingInvoiceCreditNoteFields (writable part), as sent to POST .../invoice_credit_notes.

    currency_rate is not a unified field of credit notes: where a platform needs it
    (Sage, FreshBooks) it travels in raw_data.
    """

    posted_date: RequestDate = None
    line_items: list[CreditNoteLineRequest] | None = None
    raw_data: dict[str, Any] | None = None


class CreditNoteLine(_LineFields):
    """LineItemFields as answered (read-only parts included)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    rootfi_id: int | None = None
    platform_id: str | None = None
    line_item_type: str | None = None  # one of LINE_ITEM_TYPES; kept as text if new
    line_item_type_id: str | None = None
    total_amount: float | None = None
    sub_total: float | None = None
    tax_amount: float | None = None
    updated_at: dt.datetime | None = None
    item: dict[str, Any] | None = None
    tax: dict[str, Any] | None = None
    account: dict[str, Any] | None = None


class InvoiceCreditNote(_InvoiceCreditNoteFields, _Answer):
    """accountingInvoiceCreditNoteObject, as answered by the API."""

    posted_date: dt.datetime | dt.date | None = None
    total_amount: float | None = None
    remaining_credit: float | None = None
    status: str | None = None  # one of CREDIT_NOTE_STATUSES; kept as text if new
    tax_amount: float | None = None
    line_items: list[CreditNoteLine] | None = None
    contact: dict[str, Any] | None = None
    currency: dict[str, Any] | None = None
    payments: list[dict[str, Any]] | None = None


# The API's model names (path segments) -> our models.
REQUEST_MODELS: dict[str, type[_Request]] = {
    "invoice_payments": InvoicePaymentRequest,
    "invoice_credit_notes": InvoiceCreditNoteRequest,
}
ANSWER_MODELS: dict[str, type[_Answer]] = {
    "invoice_payments": InvoicePayment,
    "invoice_credit_notes": InvoiceCreditNote,
}
