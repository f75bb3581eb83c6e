"""`rootfi-excel install`, `upgrade`, `uninstall` and `doctor`."""

from __future__ import annotations

from pathlib import Path

import click

from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import EXIT_UNUSABLE, say

from rootfi_excel.api.credentials import DEFAULT_PROFILE
from rootfi_excel.errors import InstallError

_dry_run = click.option("--dry-run", is_flag=True,
                        help="Print every step it would take, in the words and order of a real run; change nothing.")
_dry_run_removing = click.option("--dry-run", is_flag=True,
                                 help="Print, in the words and order of a real run, every file, setting and folder it would remove; remove nothing.")


def _layout():
    from rootfi_excel.install.layout import Layout  # install/ loads the add-in builder: only when a command runs

    return Layout.current()


def _ask_key(text: str) -> str | None:
    try:
        return click.prompt(text, hide_input=True, default="", show_default=False)
    except click.Abort:  # no one at the keyboard (Ctrl-C or end of input): skip the key
        return None


def _fail(exc: Exception) -> click.ClickException:
    if isinstance(exc, OSError) and exc.filename:
        error = click.ClickException(f"Could not change {exc.filename}: {exc.strerror}. Nothing after this was done; "
                                     "fix that (permissions, disk space, Excel holding the file), then run again.")
    else:
        error = click.ClickException(str(exc))
    error.exit_code = EXIT_UNUSABLE  # the job could not be done: 2, as every command (click's default is 1)
    return error


@click.command(cls=GuardedCommand, doing="install RootFi for Excel",
               short_help="Install the add-in, the template and the API key.")
@click.option("--templates-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the workbook template (a shared team folder works). Asked when not given.")
@click.option("--profile", default=DEFAULT_PROFILE, show_default=True, help="Key profile for the API key.")
@click.option("--no-key", is_flag=True, help="Do not offer to store the API key.")
@click.option("--yes", "-y", is_flag=True, help="Ask nothing: default templates folder, no key prompt.")
@_dry_run
def install(templates_dir: Path | None, profile: str, no_key: bool, yes: bool, dry_run: bool) -> None:
    """Put the RootFi add-in into Excel, set it to use this Python, copy the template, store the key."""
    from rootfi_excel.install.actions import install as run_install  # loads the add-in builder: when the command runs

    layout = _layout()
    if templates_dir is None and not yes:
        templates_dir = click.prompt("Folder for the workbook template (a shared team folder works)",
                                     default=str(layout.default_templates_dir), type=click.Path(path_type=Path))
    if dry_run:
        say("Dry run: nothing is written.")
    try:
        run_install(layout, templates_dir=templates_dir, profile=profile, dry_run=dry_run, tell=say,
                    ask_key=None if (no_key or yes) else _ask_key)
    except (InstallError, ValueError, OSError) as exc:
        raise _fail(exc) from None
    if dry_run:
        say("Dry run: nothing was changed.")
    else:
        say("Done." + (" Restart Excel: the RootFi tab appears on the ribbon." if layout.has_excel else "")
                   + " Check this computer any time with `rootfi-excel doctor`.")


@click.command(cls=GuardedCommand, doing="upgrade RootFi for Excel",
               short_help="Rebuild the add-in; keep key, templates, settings.")
@_dry_run
def upgrade(dry_run: bool) -> None:
    """Rebuild the add-in for the installed version; keep the key, templates and your settings."""
    from rootfi_excel.install.actions import upgrade as run_upgrade  # loads the add-in builder: when the command runs

    if dry_run:
        say("Dry run: nothing is written.")
    try:
        run_upgrade(_layout(), dry_run=dry_run, tell=say)
    except (InstallError, ValueError, OSError) as exc:
        raise _fail(exc) from None
    say("Dry run: nothing was changed." if dry_run else "Done. Restart Excel to load the new add-in.")


@click.command(cls=GuardedCommand, doing="uninstall RootFi for Excel",
               short_help="Remove what install wrote, then the environment the installer made.")
@click.option("--remove-key", is_flag=True, help="Also remove the stored API key(s).")
@click.option("--remove-journal", is_flag=True,
              help="Also remove the submission journal (it is what stops a row being sent twice).")
@click.option("--profile", "profiles", multiple=True, help="Key profile to remove with --remove-key (repeatable).")
@_dry_run_removing
def uninstall(remove_key: bool, remove_journal: bool, profiles: tuple[str, ...], dry_run: bool) -> None:
    """Remove every file, setting and folder install wrote, then the environment the installer made
    (proven by its marker); the key and the journal only when asked."""
    from rootfi_excel.install.actions import uninstall as run_uninstall  # loads the add-in builder: when the command runs

    if dry_run:
        say("Dry run: nothing is written.")
    try:
        run_uninstall(_layout(), remove_key=remove_key, remove_journal=remove_journal, profiles=profiles,
                      dry_run=dry_run, tell=say)
    except (InstallError, ValueError, OSError) as exc:
        raise _fail(exc) from None
    say("Dry run: nothing was changed." if dry_run else "Done. Python itself stays.")


@click.command(cls=GuardedCommand, doing="check this computer")
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--base-url", help="RootFi API address (default: the workbook's Settings, else production).")
@click.option("--company", type=int, help="RootFi company id (default: the workbook's Settings).")
@click.option("--profile", help="Key profile (default: the workbook's Settings, else 'default').")
def doctor(workbook: Path | None, base_url: str | None, company: int | None, profile: str | None) -> None:
    """Check this computer and say what is wrong and what to do. Exit 0 when nothing failed."""
    from rootfi_excel.install.doctor import exit_code, render, run_doctor  # loads install/: when the command runs
    from rootfi_excel.install.manifest import load_manifest, xlwings_version

    layout = _layout()
    try:
        manifest = load_manifest(layout.manifest_path)
    except ValueError:
        manifest = None
    installed = [Path(f.path) for f in manifest.files] if manifest else []
    checks = run_doctor(layout, xlwings_version=xlwings_version(), workbook=workbook, base_url=base_url,
                        company_id=company, profile=profile, installed_files=installed,
                        installed=manifest is not None)
    say(f"RootFi for Excel doctor ({layout.system})")
    say(render(checks))
    raise SystemExit(exit_code(checks))
