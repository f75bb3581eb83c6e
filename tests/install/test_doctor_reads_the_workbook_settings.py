"""`rootfi-excel doctor BOOK` names what is wrong in the workbook's Settings."""

from __future__ import annotations

from rootfi_excel.workbook.template import build_template
from tests.support.cli_runs import run


def test_doctor_names_the_problems_of_the_workbooks_settings(tmp_path):
    """doctor BOOK read base_url, company_id and key_profile from Settings and said nothing of
    what was wrong there: a company_id "12a" came out as "no company id (give --company...)"."""
    book = build_template(tmp_path / "book.xlsx", settings={"company_id": "12a", "environment": "nowhere"})
    result = run(["doctor", book])
    assert result.exit_code == 1
    assert "[FAIL] book.xlsx: Settings: company_id" in result.output and "environment 'nowhere'" in result.output
