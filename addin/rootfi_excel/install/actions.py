"""install, upgrade and uninstall: every write goes through one small context that says
what it does (or, with dry_run, would do) and records it in the manifest.

The add-in itself comes from the builder (addin_file.build_addin_into); this module
decides where things go, in what order, and what to keep.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rootfi_excel import __version__
from rootfi_excel.install import settings_file
from rootfi_excel.excel_addin import AddinSettings
from rootfi_excel.install.addin_file import (
    AddinError,
    addin_xlwings_version,
    build_addin_into,
    interpreter_settings,
    write_addin_settings,
)
from rootfi_excel.install.layout import MACOS, WINDOWS, Layout
from rootfi_excel.install.manifest import Manifest, WrittenSetting, load_manifest, save_manifest, sha256
from rootfi_excel.install.unblock import is_blocked, unblock

TEMPLATE_FILE = "RootFi-Invoice-Import.xlsx"

Tell = Callable[[str], None]
AskKey = Callable[[str], "str | None"]
Builder = Callable[[Path], None]


class InstallError(Exception):
    """Install/upgrade/uninstall cannot go on; the message says what to do."""


def xlwings_version() -> str:
    import xlwings

    return xlwings.__version__


def xlwings_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent


@dataclass
class _Run:
    layout: Layout
    manifest: Manifest
    dry_run: bool
    tell: Tell

    def say(self, text: str) -> None:
        self.tell(f"would {text}" if self.dry_run else text)

    def make_dir(self, folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        for path in reversed(missing):  # outermost first
            self.say(f"create folder {path}")
            if not self.dry_run:
                path.mkdir()
                if str(path) not in self.manifest.dirs:
                    self.manifest.dirs.append(str(path))

    def put_file(self, target: Path, kind: str, write: Callable[[Path], None], what: str) -> None:
        """Write `target` through a temporary file (Excel opens every file in its startup folder)."""
        self.make_dir(target.parent)
        self.say(f"write {target}  ({what})")
        if self.dry_run:
            return
        with tempfile.TemporaryDirectory() as scratch:
            staged = Path(scratch) / target.name
            write(staged)
            try:
                shutil.copyfile(staged, target)
            except PermissionError:
                raise InstallError(f"Could not replace {target}: Excel has it open. "
                                   "Quit Excel (all windows), then run this command again.") from None
        self.manifest.add_file(target, kind)

    def set_addin_settings(self, file: Path, settings: AddinSettings, *, keep_user_edit: bool) -> None:
        """Set the add-in's settings in the person's file with the add-in package's writer,
        recording each key's value before, so uninstall can put it back."""
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
        created = not file.exists()
        write_addin_settings(file, settings_with(settings, wanted))
        for key, value in wanted.items():
            mine = self.manifest.setting(file, key)
            if mine is None:
                if key not in changes:
                    continue  # the person had this exact value already: not ours to remove
                mine = WrittenSetting(str(file), key, value, previous=current.get(key), created_file=created)
                self.manifest.settings.append(mine)
            elif key in changes:
                mine.value = value


def settings_with(settings: AddinSettings, values: dict[str, str]) -> AddinSettings:
    """`settings` with the interpreter the person chose, where they chose one."""
    from dataclasses import replace

    return replace(settings, interpreter_win=values.get("INTERPRETER_WIN", settings.interpreter_win),
                   interpreter_mac=values.get("INTERPRETER_MAC", settings.interpreter_mac))


def _new_manifest(layout: Layout) -> Manifest:
    return Manifest(system=layout.system, product_version=__version__, xlwings_version=xlwings_version(),
                    interpreter=str(layout.interpreter))


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
        run.say(f"remove {old.path}  (AppleScript of the previous xlwings)")
        if not run.dry_run:
            Path(old.path).unlink(missing_ok=True)
            run.manifest.files.remove(old)
    source = xlwings_dir() / target.name
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
    if target.exists():
        run.tell(f"keep {target}  (already there; a shared team folder keeps one copy)")
        return

    def write(staged: Path) -> None:
        from rootfi_excel.workbook.template import build_template

        build_template(staged)

    run.put_file(target, "template", write, "the blank invoice-import workbook")


def _offer_key(run: _Run, profile: str, ask_key: AskKey | None) -> None:
    from rootfi_excel.api.credentials import CredentialsError, ensure_keyring, key_stored, keyring_name, store_api_key

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


def _finish(run: _Run) -> None:
    run.say(f"write {run.layout.manifest_path}  (the record of what was installed, for upgrade and uninstall)")
    if not run.dry_run:
        save_manifest(run.layout.manifest_path, run.manifest)


def install(layout: Layout, *, templates_dir: Path | None = None, profile: str = "default",
            dry_run: bool = False, tell: Tell = print, ask_key: AskKey | None = None,
            builder: Builder = build_addin_into) -> Manifest:
    """Put the add-in, its settings, the AppleScript (macOS) and the templates in place."""
    _check_interpreter(layout)
    manifest = _readable_manifest(layout, dry_run, tell) or _new_manifest(layout)
    manifest.product_version, manifest.xlwings_version = __version__, xlwings_version()
    manifest.interpreter = str(layout.interpreter)
    run = _Run(layout, manifest, dry_run, tell)
    if not layout.has_excel:
        tell("No Excel on Linux: setting up the command line (rootfi-excel) and the templates only.")
    try:
        if layout.has_excel:
            _addin(run, builder, upgrading=False)
            _applescript(run)
        # "~/Team" typed at the prompt is the home folder, and a relative folder is recorded as
        # absolute: uninstall, run from anywhere, must find what install wrote.
        _templates(run, Path(templates_dir).expanduser().absolute() if templates_dir else layout.default_templates_dir)
        _unblock(run)
        _offer_key(run, profile, ask_key)
    finally:
        _finish(run)  # what was written so far is recorded, so uninstall can remove it
    return manifest


def _readable_manifest(layout: Layout, dry_run: bool, tell: Tell) -> Manifest | None:
    """The install record; a damaged one is set aside (every other command says "run install
    again", so install must not refuse it too) and install starts a new one."""
    try:
        return load_manifest(layout.manifest_path)
    except ValueError as exc:
        aside = layout.manifest_path.with_name(layout.manifest_path.name + ".damaged")
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
    try:
        if layout.has_excel:
            tell(f"Add-in: xlwings {before} -> {manifest.xlwings_version}")
            _addin(run, builder, upgrading=True)
            _applescript(run)
        _unblock(run)
        tell("keep the API key, the templates and your own settings")
    finally:
        _finish(run)
    return manifest


def uninstall(layout: Layout, *, remove_key: bool = False, remove_journal: bool = False,
              profiles: tuple[str, ...] = (), dry_run: bool = False, tell: Tell = print) -> None:
    """Remove every file and setting install wrote; the key and the journal only when asked."""
    manifest = load_manifest(layout.manifest_path)
    run = _Run(layout, manifest or _new_manifest(layout), dry_run, tell)
    if manifest is None:
        tell(f"No install record at {layout.manifest_path}: no files or settings to remove.")
    else:
        _remove_files(run)
        _remove_settings(run)
        _remove_dirs(run)
    kept = _remove_keys(run, {*run.manifest.key_profiles, *profiles} or {"default"}) if remove_key else []
    journal_kept = _remove_journal(run) if remove_journal else None
    if manifest is not None:
        run.say(f"remove {layout.manifest_path}  (the install record)")
        if not dry_run:
            layout.manifest_path.unlink(missing_ok=True)
    problems = [journal_kept] if journal_kept else []
    if kept:
        names = ", ".join(f"'{p}'" for p in kept)
        problems.append(f"The API key of profile {names} may still be in the keyring: unlock it, then run "
                        f"`rootfi-excel logout --profile {kept[0]}`.")
    if problems and dry_run:
        tell("a real run would end with: " + " ".join(problems))
    elif problems:
        raise InstallError("Everything else was removed. " + " ".join(problems))


def _remove_files(run: _Run) -> None:
    for written in list(run.manifest.files):
        path = Path(written.path)
        if not path.exists():
            run.tell(f"gone already: {path}")
            continue
        if written.kind == "template" and sha256(path) != written.sha256:
            run.tell(f"keep {path}  (changed since install: it may hold your work)")
            continue
        run.say(f"remove {path}")
        if not run.dry_run:
            try:
                path.unlink()
            except PermissionError:
                raise InstallError(f"Could not remove {path}: Excel has it open. "
                                   "Quit Excel (all windows), then run this command again.") from None


def _remove_settings(run: _Run) -> None:
    for mine in run.manifest.settings:
        file = Path(mine.file)
        current = settings_file.read_settings(file)
        if mine.key not in current:
            continue
        if current[mine.key] != mine.value:
            run.tell(f"keep {file}: {mine.key} = {current[mine.key]}  (changed by you since install)")
            continue
        if mine.previous is not None:
            run.say(f"set {file}: {mine.key} = {mine.previous}  (the value before install)")
            current[mine.key] = mine.previous
        else:
            run.say(f"remove {file}: {mine.key}")
            del current[mine.key]
        if not run.dry_run:
            settings_file.write_settings(file, current)
        if not current and mine.created_file:
            run.say(f"remove {file}  (now empty)")
            if not run.dry_run:
                file.unlink()


def _remove_dirs(run: _Run) -> None:
    for folder in sorted(map(Path, run.manifest.dirs), key=lambda p: len(p.parts), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            run.say(f"remove folder {folder}")
            if not run.dry_run:
                folder.rmdir()
        elif folder.is_dir():
            run.tell(f"keep folder {folder}  (it holds files install did not write)")


def _remove_keys(run: _Run, profiles: set[str]) -> list[str]:
    """Remove the keys; return the profiles whose key may still be in the keyring."""
    from rootfi_excel.api.credentials import CredentialsError, delete_api_key, key_stored

    kept = []
    for profile in sorted(profiles):
        try:
            if not key_stored(profile):
                run.tell(f"no API key stored for profile '{profile}'")
                continue
            run.say(f"remove the API key of profile '{profile}' from the keyring")
            if not run.dry_run:
                delete_api_key(profile)
        except CredentialsError as exc:  # e.g. a locked keyring: never say "no key" of a key still there
            run.tell(f"could not remove the API key of profile '{profile}': {exc}")
            kept.append(profile)
    return kept


def _unsettled(journal: Path) -> int:
    """Attempts whose outcome is not known yet (sending, Pending, Unknown): what the journal
    is there for. -1 when it cannot be read now (locked by a Submit that is running); a
    damaged journal protects nothing (Submit asks for it to be set aside), so it is 0."""
    from rootfi_excel.submission.journal import OPEN_STATES, Journal, JournalError

    try:
        with Journal(journal) as opened:
            return sum(len(opened.attempts(state)) for state in OPEN_STATES)
    except (JournalError, OSError, sqlite3.Error) as error:
        return 0 if "is damaged" in str(error) else -1


def _remove_journal(run: _Run) -> str | None:
    """Remove the journal; return why it was kept (None when removed or absent)."""
    journal = run.layout.journal_path
    files = [Path(str(journal) + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    present = [f for f in files if f.exists()]
    if not present:
        run.tell(f"no journal at {journal}")
        return None
    open_attempts = _unsettled(journal) if journal.exists() else 0
    if open_attempts:
        why = (f"{open_attempts} submitted record(s) have no known outcome yet (Pending or Unknown)"
               if open_attempts > 0 else "it is in use (a Submit may be running), so unfinished submissions "
               "could not be checked")
        run.tell(f"keep {journal}: {why}; removing it could let the next Submit create them twice")
        return (f"The journal was kept: {why}. Press Submit on those workbooks until no row says Pending or "
                "Unknown, then run `rootfi-excel uninstall --remove-journal` again.")
    run.tell("note: the journal is what stops a row being sent twice after a lost answer; "
             "remove it only when no Submit is unfinished")
    for path in [f for f in files if f.exists()]:  # opening it to check may have tidied its -wal away
        run.say(f"remove {path}")
        if not run.dry_run:
            path.unlink(missing_ok=True)
    return None
