"""RootFi for Excel: bulk invoice payments and invoice credit notes through the RootFi API.

Layers (data flows one way, only the two ends touch Excel or the network):

    fields/      unified field models, integration requirements, template rules
    sheets/      sheet values -> records (header matching, cell coercion, grouping)
    validation/  records -> one result per row
    api/         HTTP client, credentials, rate limiting, retries
    submission/  journal + engine: what to send, never twice, results per row
    workbook/    ports to a workbook: .xlsx files (openpyxl) and live Excel (xlwings)
    sandbox/     a local stand-in for the RootFi API (tests, demo)
    cli/         the rootfi-excel command line
"""

__version__ = "0.1.0"
