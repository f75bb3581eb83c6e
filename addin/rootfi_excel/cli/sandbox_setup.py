"""Point a workbook at a local sandbox: what its Settings must say, and the key it uses.

`rootfi-excel sandbox` prints these settings when it starts; with `--configure BOOK.xlsx`
it writes them into BOOK's Settings sheet (only those value cells change) and stores
the sandbox's key on this computer, so Validate, Submit and the Excel buttons work
against the sandbox at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rootfi_excel.errors import CredentialsError
from rootfi_excel.sandbox.seed import COMPANIES

SANDBOX_PROFILE = "sandbox"  # the key profile a sandbox workbook names (Settings: key_profile)
DEFAULT_COMPANY = 1003
# The seeded companies a workbook can submit to (1007 is disconnected on purpose).
CONNECTED = {company_id: integration for company_id, _, integration, status, _ in COMPANIES if status == "HEALTHY"}


def settings_for(base_url: str, company_id: int) -> dict[str, Any]:
    """The Settings values of a workbook that uses the sandbox at `base_url`."""
    return {"environment": "sandbox", "base_url": base_url, "company_id": company_id,
            "integration": CONNECTED[company_id], "key_profile": SANDBOX_PROFILE}


def store_sandbox_key(base_url: str, key: str, profile: str = SANDBOX_PROFILE) -> None:
    """Keep the sandbox's key on this computer for its address (and the workbook's key
    profile): the person started this sandbox here and asked for it (api/trust.py)."""
    from rootfi_excel.api.trust import store_key  # loads keyring: only with --configure

    store_key(profile, key, base_url)


def configure(book: Path, base_url: str, key: str, company_id: int | None = None) -> tuple[dict[str, Any], str | None]:
    """Write the sandbox's settings into `book` and store its key. Returns the settings
    written and, when the key could not be stored, why (the Settings are written anyway).

    company_id: the sandbox company to use; None keeps the workbook's when it is one of
    the sandbox's connected companies, else DEFAULT_COMPANY."""
    from rootfi_excel.sheets.settings import read_settings  # only with --configure
    from rootfi_excel.workbook.xlsx import XlsxWorkbook  # loads openpyxl: only with --configure, not for --help

    with XlsxWorkbook.open(book) as workbook:
        current = read_settings(workbook.read_settings()).company_id
        chosen = company_id or (current if current in CONNECTED else DEFAULT_COMPANY)
        values = settings_for(base_url, chosen)
        workbook.write_settings(values)
        workbook.save()
    try:
        store_sandbox_key(base_url, key)
    except CredentialsError as error:  # its first sentence: what is wrong (the rest is how to set up a key store)
        return values, str(error).split(". ")[0].rstrip(".")
    return values, None
