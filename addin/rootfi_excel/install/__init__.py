"""Install, upgrade, uninstall and doctor for RootFi for Excel.

layout.py       where things go on Windows, macOS and Linux (computed, so tests can simulate)
addin_file.py   the one door to the add-in builder (excel_addin), and reading an add-in back
settings_file.py  the add-in's "KEY","VALUE" settings file that xlwings' VBA reads
manifest.py     the record of what install wrote, so uninstall removes exactly that
unblock.py      Windows' Mark of the Web (Zone.Identifier)
actions.py      install / upgrade / uninstall
doctor.py       the checks, one small function each
"""
