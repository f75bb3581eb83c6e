"""Install, upgrade, uninstall and doctor for RootFi for Excel.

layout.py       where things go on Windows, macOS and Linux (computed, so tests can simulate)
addin_file.py   the one door to the add-in builder (excel_addin), and reading an add-in back
settings_file.py  the add-in's "KEY","VALUE" settings file that xlwings' VBA reads
manifest.py     the record of what install wrote (hashes, folder identities, the environment's id)
environment.py  the environment the installer scripts make: its marker, and its removal (stdlib only)
recorded_run.py one run: every change said (or, in a dry run, said as "would") and recorded first
unblock.py      Windows' Mark of the Web (Zone.Identifier)
actions.py      install / upgrade
removal.py      uninstall: only what can be shown to be the install's own
doctor.py       the checks, one small function each
"""
