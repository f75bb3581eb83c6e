"""rootfi-excel addin build — make rootfi.xlam, the Excel add-in with the RootFi ribbon tab."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import say, stop
from rootfi_excel.errors import AddinBuildError


@click.group()
def addin() -> None:
    """The Excel add-in (rootfi.xlam)."""


@addin.command(cls=GuardedCommand, doing="build the add-in")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("dist"),
              show_default=True, help="Folder to write rootfi.xlam into (replaced if it is there).")
@click.option("--interpreter-win", metavar="PATH",
              help="Python for Excel on Windows (pythonw.exe). Default on Windows: this Python.")
@click.option("--interpreter-mac", metavar="PATH", help="Python for Excel on macOS. Default on macOS: this Python.")
@click.option("--pythonpath", metavar="DIRS", help="Extra folders for Python's path, separated by ';'.")
@click.option("--no-interpreter", is_flag=True,
              help="Write no interpreter into the add-in: each user's rootfi.conf file names it.")
def build(out_dir: Path, interpreter_win: str | None, interpreter_mac: str | None, pythonpath: str | None,
          no_interpreter: bool) -> None:
    """Build rootfi.xlam from the installed xlwings' own add-in template.

    The add-in's xlwings module, DLL name and AppleScript version are those of the
    installed xlwings, so build again after upgrading xlwings.
    """
    from rootfi_excel.excel_addin import AddinSettings, build_addin  # heavy: when the command runs

    if no_interpreter and (interpreter_win or interpreter_mac):
        raise click.UsageError("--no-interpreter cannot be combined with --interpreter-win/--interpreter-mac")
    chosen = AddinSettings(interpreter_win=interpreter_win, interpreter_mac=interpreter_mac)
    if not (no_interpreter or interpreter_win or interpreter_mac):
        chosen = AddinSettings.for_this_python()
    settings = AddinSettings(chosen.interpreter_win, chosen.interpreter_mac, pythonpath)
    try:
        built = build_addin(out_dir, settings)
    except AddinBuildError as error:
        stop(str(error))  # exit code 2: the job could not be done
    say(f"Built {built.path} (xlwings {built.xlwings_version}; ribbon buttons: {', '.join(built.tags)}).")
    for system, value in (("Windows", settings.interpreter_win), ("macOS", settings.interpreter_mac)):
        if value:
            say(f"  Python for Excel on {system}: {value}")
    if not (settings.interpreter_win or settings.interpreter_mac):
        say("  No Python is written into the add-in: Excel uses INTERPRETER_WIN / INTERPRETER_MAC from the "
                   "user's rootfi.conf (Windows: %USERPROFILE%\\.rootfi\\rootfi.conf; macOS: "
                   "~/Library/Containers/com.microsoft.Excel/Data/rootfi.conf), else 'python' on the PATH.")
    if sys.platform == "darwin":
        say("  On macOS run 'xlwings runpython install' once (installs the AppleScript the add-in calls).")
    say("  Load it in Excel as docs/excel-verification.md says.")
