"""A workbook's settings, read once for an action: the Settings sheet (with the command
line's overrides), the Integration Fields sheet's requirements, and what is wrong with them.

Every action reads them here and passes them down typed; nothing below reads them again."""

from __future__ import annotations

from rootfi_excel.fields.integrations import RequirementBook, requirements_from_rows
from rootfi_excel.sheets.port import WorkbookPort
from rootfi_excel.sheets.settings import Overrides, WorkbookSettings, apply_overrides, read_settings


def read_workbook_settings(port: WorkbookPort, overrides: Overrides | None = None
                           ) -> tuple[WorkbookSettings, RequirementBook, list[str]]:
    """(settings, requirements, problems): `overrides` (--base-url, --company, --profile)
    replace the Settings sheet's values, as every command applies them."""
    settings = read_settings(port.read_settings())
    extra, problems = requirements_from_rows(port.read_integration_fields())
    if overrides is not None:
        apply_overrides(settings, overrides)
    return settings, RequirementBook(extra), [*settings.problems, *problems]
