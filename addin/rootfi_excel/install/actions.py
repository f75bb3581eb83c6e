"""install and upgrade: every write goes through one small context (run.Run) that says
what it does (or, with dry_run, would do) and records it in the manifest before the
write; uninstall is in removal.py.

The add-in itself comes from the builder (addin_file.build_addin_into); this module
decides where things go, in what order, and what to keep.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rootfi_excel import __version__
from rootfi_excel.errors import AddinError, CredentialsError, InstallError
from rootfi_excel.install import settings_file
from rootfi_excel.excel_addin import AddinSettings
from rootfi_excel.install.addin_file import (
    addin_xlwings_version,
    build_addin_into,
    interpreter_settings,
    write_addin_settings,
)
from rootfi_excel.install.environment import read_marker
from rootfi_excel.install.layout import MACOS, WINDOWS, Layout
from rootfi_excel.install.manifest import (
    CommandLink,
    Environment,
    Manifest,
    WrittenSetting,
    load_manifest,
    new_manifest,
    regular_file_sha256,
    sha256,
    xlwings_version,
)
from rootfi_excel.install.removal import remove_recorded_file
from rootfi_excel.install.removal import uninstall as run_uninstall
from rootfi_excel.install.recorded_run import Run, Tell
from rootfi_excel.install.unblock import is_blocked, unblock
from rootfi_excel.api.credentials import ensure_keyring, key_stored, keyring_name, store_api_key
from rootfi_excel.workbook.template import build_template

TEMPLATE_FILE = "RootFi-Invoice-Import.xlsx"

AskKey = Callable[[str], "str | None"]
Builder = Callable[[Path], None]

__all__ = ["InstallError", "TEMPLATE_FILE", "install", "uninstall", "upgrade"]


def xlwings_dir() -> Path:
    import xlwings  # slow to load: only when installing

    return Path(xlwings.__file__).parent


class _Run(Run):
    def set_addin_settings(self, file: Path, settings: AddinSettings, *, keep_user_edit: bool) -> None:
        """Set the add-in's settings in the person's file with the add-in package's writer,
        recording each key's value before, so uninstall can put it back."""
        if os.path.islink(file):
            raise InstallError(f"{file} is a symbolic link: RootFi writes no settings through a link. "
                               "Replace it with the file itself, then run this again.")
        current = settings_file.read_settings(file)
        wanted = dict(settings.rows())
        if keep_user_edit:
            for key in wanted:
                mine = self.manifest.setting(file, key)
                if mine and key in current and current[key] != mine.value:
                    self.tell(f"keep {file}: {key} = {current[key]}  (changed by you since install)")
                    wanted[key] = current[key]
        changes = {key: value for key, value in wanted.items() if current.get(key) != value}
        for key, value in wanted.items():
            if key not in changes and self.manifest.setting(file, key):
                self.tell(f"unchanged {file}: {key} = {value}")
        if not changes:
            return
        self.make_dir(file.parent)
        for key, value in changes.items():
            self.say(f"set {file}: {key} = {value}")
        if self.dry_run:
            return
        created = not os.path.lexists(file)
        for key, value in wanted.items():  # recorded first: an interrupted write leaves nothing unknown
            mine = self.manifest.setting(file, key)
            if mine is None:
                if key not in changes:
                    continue  # the person had this exact value already: not ours to remove
                mine = WrittenSetting(str(file), key, value, previous=current.get(key), created_file=created)
                self.manifest.settings.append(mine)
            elif key in changes:
                mine.value = value
        self.record()
        write_addin_settings(file, settings_with(settings, wanted))


def settings_with(settings: AddinSettings, values: dict[str, str]) -> AddinSettings:
    """`settings` with the interpreter the person chose, where they chose one."""
    return replace(settings, interpreter_win=values.get("INTERPRETER_WIN", settings.interpreter_win),
                   interpreter_mac=values.get("INTERPRETER_MAC", settings.interpreter_mac))


def _check_interpreter(layout: Layout) -> None:
    interpreter = layout.interpreter
    if "WindowsApps" in interpreter.parts:
        raise InstallError("This Python comes from the Microsoft Store, which Excel cannot start reliably. "
                           "Run the RootFi installer script: it installs a python.org Python for you.")
    if layout.system == MACOS and " " in str(interpreter):
        # xlwings' AppleScript puts the interpreter path into a shell command unquoted.
        raise InstallError(f"Excel for Mac cannot start a Python whose path has a space ({interpreter}). "
                           "Run the RootFi installer script: it makes the environment in ~/Library/RootFi/env.")
    if layout.has_excel and not interpreter.exists():
        raise InstallError(f"Excel would start {interpreter}, which does not exist. Run the RootFi "
                           "installer script again: it creates the environment this command runs in.")


def _addin(run: _Run, builder: Builder, *, upgrading: bool) -> None:
    layout, version = run.layout, xlwings_version()
    interpreter = layout.interpreter

    def write(staged: Path) -> None:
        try:
            builder(staged)
        except AddinError as exc:
            raise InstallError(str(exc)) from None
        built = addin_xlwings_version(staged)
        if built != version:  # the field's most common failure: refuse to install it
            raise InstallError(f"The add-in was built with xlwings {built}, but this environment has xlwings "
                               f"{version}. Reinstall RootFi for Excel with its installer script.")

    run.put_file(layout.addin_path, "add-in", write, f"the RootFi add-in, xlwings {version}")
    # install sets the interpreter; upgrade keeps a path the person chose since.
    try:
        run.set_addin_settings(layout.settings_path, interpreter_settings(layout.interpreter_key, str(interpreter)),
                               keep_user_edit=upgrading)
    except AddinError as exc:
        raise InstallError(str(exc)) from None


def _applescript(run: _Run) -> None:
    version = xlwings_version()
    target = run.layout.applescript_path(version)
    if target is None:
        return
    for old in [f for f in run.manifest.files if f.kind == "applescript" and f.path != str(target)]:
        remove_recorded_file(run, old, why="AppleScript of the previous xlwings")
        if not run.dry_run:
            run.manifest.files.remove(old)
    source = xlwings_dir() / target.name
    if run.manifest.file(target) is None and regular_file_sha256(target) == sha256(source):
        # `xlwings runpython install` put the same file there: used as it is, and never removed
        run.tell(f"keep {target}  (already there, the same file; not written by this install, so uninstall keeps it)")
        return
    run.put_file(target, "applescript", lambda staged: shutil.copyfile(source, staged),
                 "lets the add-in start Python (what `xlwings runpython install` does)")


def _unblock(run: _Run) -> None:
    if run.layout.system != WINDOWS:
        return
    candidates = [Path(f.path) for f in run.manifest.files]
    if run.manifest.templates_dir:  # a copy already in the (shared) folder is used as well
        candidates.append(Path(run.manifest.templates_dir) / TEMPLATE_FILE)
    # xlwings' DLLs: at the environment's root, where its Windows wheel puts them (and any
    # in the package folder, where older layouts had them).
    candidates += [run.layout.interpreter, *run.layout.xlwings_dlls, *sorted(xlwings_dir().glob("*.dll"))]
    for path in candidates:
        if path.is_file() and is_blocked(path):
            run.say(f"unblock {path}  (remove the 'downloaded from the internet' mark)")
            if not run.dry_run:
                unblock(path)


def _templates(run: _Run, folder: Path) -> None:
    target = folder / TEMPLATE_FILE
    run.manifest.templates_dir = str(folder)
    if os.path.islink(target):
        run.tell(f"keep {target}  (a symbolic link: RootFi writes nothing through it, so no template is written)")
        return
    if os.path.lexists(target):
        run.tell(f"keep {target}  (already there; a shared team folder keeps one copy)")
        return

    def write(staged: Path) -> None:
        build_template(staged)

    run.put_file(target, "template", write, "the blank invoice-import workbook")


def on_path(folder: Path, path_variable: str | None = None) -> bool:
    """True when `folder` is one of the folders of PATH (as a new terminal of this session has it)."""
    entries = (os.environ.get("PATH", "") if path_variable is None else path_variable).split(os.pathsep)
    wanted = os.path.normpath(folder)
    for entry in filter(None, entries):
        entry = os.path.normpath(os.path.expanduser(entry))
        if entry == wanted or (os.path.isdir(entry) and os.path.isdir(wanted) and os.path.samefile(entry, wanted)):
            return True
    return False


def _command_link(run: _Run) -> None:
    """Linux and macOS: ~/.local/bin/rootfi-excel -> the environment's command, only where nothing is."""
    layout = run.layout
    link, command = layout.command_link, layout.command
    if link is None:
        return
    recorded = run.manifest.link
    if os.path.lexists(link):
        if os.path.islink(link) and os.readlink(link) == str(command):
            ours = recorded is not None and (recorded.path, recorded.target) == (str(link), str(command))
            run.tell(f"keep {link} -> {command}  (already there"
                     + (")" if ours else "; not made by this install, so uninstall keeps it)"))
        else:
            run.tell(f"keep {link}  (something else is there, so no link is made; the command is {command})")
            return
    elif not command.is_file():
        run.tell(f"no link {link}: there is no command {command} to link to")
        return
    else:
        try:
            run.make_dir(link.parent)
        except InstallError as exc:
            run.tell(f"no link {link}: {exc}")
            return
        run.say(f"make the link {link} -> {command}  (so `rootfi-excel` runs from a new terminal)")
        if not run.dry_run:
            run.manifest.link = CommandLink(str(link), str(command))
            run.record()  # recorded first: a link made and then forgotten could never be proven ours
            os.symlink(command, link)
    if on_path(link.parent):
        run.tell(f"`rootfi-excel` runs {command} from a new terminal ({link.parent} is on your PATH)")
    else:
        run.tell(f"{link.parent} is not on your PATH: run the command as {command} "
                 "(`rootfi-excel doctor` says how to put the folder on PATH)")


def _environment(run: _Run) -> None:
    """Record the environment's marker id: what proves to uninstall that the installer made it."""
    env = run.layout.env_prefix
    marker = read_marker(env)
    before = run.manifest.environment
    if before is not None and before.path != str(env):
        run.tell(f"the install record named the environment {before.path}; it now names {env}, "
                 f"so uninstall no longer removes {before.path}")
    if marker is None:
        run.manifest.environment = None
        run.tell(f"the environment {env} was not made by the RootFi installer: uninstall keeps it")
    else:
        run.manifest.environment = Environment(str(env), marker.id)
        run.tell(f"the environment {env} was made by the RootFi installer: uninstall removes it")


def _offer_key(run: _Run, profile: str, ask_key: AskKey | None) -> None:
    if ask_key is None:
        run.tell("skip the API key (store it later with `rootfi-excel login`)")
        return
    try:
        ensure_keyring()
    except CredentialsError as exc:
        run.tell(f"skip the API key: {exc}")
        return
    try:
        stored = key_stored(profile)
    except CredentialsError as exc:  # a locked keyring: asking for the key would be for nothing
        run.tell(f"skip the API key: {exc}")
        return
    if stored:
        run.tell(f"keep the API key already stored for profile '{profile}'")
        return
    if run.dry_run:
        run.say(f"ask for the API key of profile '{profile}' and store it in {keyring_name()}")
        return
    key = (ask_key(f"RootFi API key for profile '{profile}' (leave empty to skip)") or "").strip()
    if not key:
        run.tell("skipped the API key (store it later with `rootfi-excel login`)")
        return
    try:
        store_api_key(profile, key)
    except CredentialsError as exc:
        run.tell(f"could not store the API key: {exc}")
        return
    if profile not in run.manifest.key_profiles:
        run.manifest.key_profiles.append(profile)
    run.tell(f"stored the API key for profile '{profile}' in {keyring_name()}")
    run.record()


def _start(run: _Run) -> None:
    """The record first (and its folder): from here on every step is recorded before it is done."""
    run.make_dir(run.layout.data_dir, record=False)
    _environment(run)
    run.remove_partials()
    run.record()


def install(layout: Layout, *, templates_dir: Path | None = None, profile: str = "default",
            dry_run: bool = False, tell: Tell = print, ask_key: AskKey | None = None,
            builder: Builder = build_addin_into) -> Manifest:
    """Put the add-in, its settings, the AppleScript (macOS), the templates and the command's link in place."""
    _check_interpreter(layout)
    if not layout.has_excel:
        tell("No Excel on Linux: setting up the command line (rootfi-excel) and the templates only.")
    manifest = _readable_manifest(layout, dry_run, tell) or new_manifest(layout)
    manifest.product_version, manifest.xlwings_version = __version__, xlwings_version()
    manifest.interpreter = str(layout.interpreter)
    run = _Run(layout, manifest, dry_run, tell)
    _start(run)
    if layout.has_excel:
        _addin(run, builder, upgrading=False)
        _applescript(run)
    # "~/Team" typed at the prompt is the home folder, and a relative folder is recorded as
    # absolute: uninstall, run from anywhere, must find what install wrote.
    _templates(run, Path(templates_dir).expanduser().absolute() if templates_dir else layout.default_templates_dir)
    _command_link(run)
    _unblock(run)
    _offer_key(run, profile, ask_key)
    run.record()
    return manifest


def _readable_manifest(layout: Layout, dry_run: bool, tell: Tell) -> Manifest | None:
    """The install record; a damaged one is set aside (every other command says "run install
    again", so install must not refuse it too) and install starts a new one."""
    try:
        return load_manifest(layout.manifest_path)
    except ValueError as exc:
        aside = layout.manifest_path.with_name(layout.manifest_path.name + ".damaged")
        if os.path.lexists(aside):
            raise InstallError(f"{exc.args[0].split(';')[0]}, and {aside} is there already: move one of them "
                               "away, then run this again.") from None
        tell(f"{exc.args[0].split(';')[0]}: {'would set' if dry_run else 'set'} it aside as {aside} and start a new "
             "one (what only the old record listed is not removed by uninstall)")
        if not dry_run:
            layout.manifest_path.replace(aside)
        return None


def upgrade(layout: Layout, *, dry_run: bool = False, tell: Tell = print,
            builder: Builder = build_addin_into) -> Manifest:
    """Rebuild the add-in for the installed version; keep the key, templates and the user's settings."""
    manifest = load_manifest(layout.manifest_path)
    if manifest is None:
        raise InstallError(f"RootFi for Excel is not installed here (no record at {layout.manifest_path}). "
                           "Run `rootfi-excel install`.")
    _check_interpreter(layout)
    before = manifest.xlwings_version
    manifest.product_version, manifest.xlwings_version = __version__, xlwings_version()
    manifest.interpreter = str(layout.interpreter)
    run = _Run(layout, manifest, dry_run, tell)
    _start(run)
    if layout.has_excel:
        tell(f"Add-in: xlwings {before} -> {manifest.xlwings_version}")
        _addin(run, builder, upgrading=True)
        _applescript(run)
    _command_link(run)
    _unblock(run)
    tell("keep the API key, the templates and your own settings")
    run.record()
    return manifest


def uninstall(*args, **kwargs) -> None:
    """See removal.uninstall (kept here: install, upgrade and uninstall are imported together)."""
    run_uninstall(*args, **kwargs)
