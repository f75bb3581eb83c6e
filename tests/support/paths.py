"""Where things are in this repository, whichever folder under tests/ a test lives in."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SHIPPED_TEMPLATE = REPO / "workbook_templates" / "RootFi-Invoice-Import.xlsx"
