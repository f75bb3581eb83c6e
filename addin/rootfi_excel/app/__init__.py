"""The application layer: what each button or command does, once, for both front ends.

The Excel ribbon (`rootfi_excel.ribbon`) and the command line (`rootfi_excel.cli`) each
wire a workbook port and a `UserInterface` to these functions; only the interface
differs between them (a message box or a terminal line, a status bar or a progress
bar, a masked dialog or a hidden prompt).

    ui.py          the UserInterface protocol
    validate.py    Validate (whole workbook or selected rows)
    submit.py      Submit: settings -> client -> plan -> confirm -> journal -> send -> write
    results.py     Clear results (result columns only; a Created row's id needs a second yes)
    account.py     Set API key (and login), Check connection (and doctor's), the API client from the keyring
    new_book.py    a fresh workbook from the template (New workbook, rootfi-excel template)
    posted.py      Posted: the platform's records of a period on the Posted sheet
    lookups.py     Refresh lookups: the company's lists into the cache and onto the Lookups sheet
    selection.py   selected rows -> whole units (a credit-note line brings its credit note)
"""
