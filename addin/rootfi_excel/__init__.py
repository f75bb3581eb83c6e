"""RootFi for Excel: bulk invoice payments and invoice credit notes through the RootFi API.

Layers, top to bottom. A module imports only from layers below its own, never from a
layer above, and never from another entry of its own line (entries on one line are
independent of each other). A module belongs to the longest entry its name starts with
(`api.paths` is its own entry, below the rest of `api`). tests/project/test_import_graph.py
reads this block and fails on any arrow against it, and on any import circle.

    __main__               python -m rootfi_excel
    cli                    the rootfi-excel command line: parses its input, calls app/
    install                install, upgrade, uninstall, doctor (where things go per OS)
    excel_addin            builds the rootfi.xlam add-in: VBA, ribbon XML, its settings file
    ribbon udfs            Excel's side: the ribbon's buttons, the worksheet functions
    demo sandbox           month-end demo data; a local stand-in for the RootFi API
    app                    each action once, for every front end, through a UserInterface
    submission             journal + engine: what to send, never twice, results per row
    validation             records -> one result per row
    submission.journal     every attempt, written before it is sent (validation reads past refusals)
    lookups                the company's lists: cache, refresh, names -> ids, sheets
    workbook               adapters to a workbook: .xlsx files (openpyxl), live Excel (xlwings)
    sheets                 the workbook port; sheet values -> records; the Settings sheet
    fields                 unified field models, template rules
    api                    HTTP client, credentials, rate limiting, retries
    failures               any error -> one readable line, its detail in the log
    messages               every sentence a person reads
    api.paths fields.integrations  data: every URL; the platforms and their required fields
    folders safe_text errors  where files live; text from outside made safe to show; every exception class
"""

__version__ = "0.1.0"
