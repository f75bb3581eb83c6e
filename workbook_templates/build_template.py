"""Write workbook_templates/RootFi-Invoice-Import.xlsx, the empty template.

Run after changing the layout, the integration requirements or template.py:
    .venv/bin/python workbook_templates/build_template.py

Its workbook_id is left blank: every copy of the file makes its own on first use
(New workbook and `rootfi-excel template` make one at once).
"""

from pathlib import Path

from rootfi_excel.workbook.template import build_template

TEMPLATE = Path(__file__).with_name("RootFi-Invoice-Import.xlsx")

if __name__ == "__main__":
    print(build_template(TEMPLATE, workbook_id=""))
