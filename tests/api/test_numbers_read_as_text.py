"""A platform may send a text field as a JSON number (a company named 2024, an
integration code): it is read as its text, never refused as a wrong answer."""

from __future__ import annotations

from rootfi_excel.api.answers import Company


def test_a_company_whose_name_is_a_number_is_read_as_text():
    company = Company.from_api({"id": 7, "name": 2024, "integration_type": "XERO", "connection_status": 1})
    assert (company.name, company.integration, company.connection_status) == ("2024", "XERO", "1")
