"""uninstall: remove what install wrote, and only what can be shown to be its own.

- a file, only while it has the SHA-256 install recorded (a template someone filled in,
  an add-in Excel changed, a file put in its place are kept and named);
- a setting, only in the settings file install writes, and only while it has the value
  install set (a value it replaced is put back);
- the command's link, only while it is the link install made;
- a folder, only when install created it (same identity on the disk), it is empty, and it
  is neither the home folder, the top of the disk nor a folder holding the home folder;
- the environment, only when its installer marker holds the id the record names
  (environment.py), as the last step.

Nothing is followed through a symbolic link. A dry run says the same lines, in the same
order, each starting with "would": what it would remove is counted as gone, so a folder
emptied by the run is said to be removed in both.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from rootfi_excel.errors import CredentialsError, InstallError, JournalError
from rootfi_excel.install import settings_file
from rootfi_excel.install.environment import (
    read_marker,
    refusal,
    remove_environment,
    schedule_removal_after_exit,
    unproven,
)
from rootfi_excel.install.layout import Layout
from rootfi_excel.install.manifest import (
    CreatedDir,
    WrittenFile,
    folder_identity,
    load_manifest,
    new_manifest,
    regular_file_sha256,
)
from rootfi_excel.install.recorded_run import Run, Tell
from rootfi_excel.api import stored_keys
from rootfi_excel.api.credentials import delete_api_key, key_stored
from rootfi_excel.api.trust import service_for
from rootfi_excel.submission.journal import Journal, OPEN_STATES


def uninstall(layout: Layout, *, remove_key: bool = False, remove_journal: bool = False,
              profiles: tuple[str, ...] = (), dry_run: bool = False, tell: Tell = print) -> None:
    """Remove every file, setting and folder install wrote, then the environment the installer
    made; the key and the journal only when asked."""
    manifest = load_manifest(layout.manifest_path)
    run = Run(layout, manifest or new_manifest(layout), dry_run, tell)
    if manifest is None:
        tell(f"No install record at {layout.manifest_path}: no files, settings or environment to remove.")
    else:
        run.remove_partials()
        for written in list(manifest.files):
            remove_recorded_file(run, written)
        _remove_settings(run)
        _remove_link(run)
    kept = _remove_keys(run, {*run.manifest.key_profiles, *profiles} or {"default"}) if remove_key else []
    journal_kept = _remove_journal(run) if remove_journal else None
    problems = [journal_kept] if journal_kept else []
    if kept:
        commands = " and ".join(f"`{_logout_command(profile, address)}`" for profile, address in kept)
        names = ", ".join(f"'{profile}'" + (f" for {address}" if address else "") for profile, address in kept)
        problems.append(f"The API key of profile {names} may still be in the keyring: unlock it, then run "
                        f"{commands}.")
    env_parents = _remove_environment(run, manifest, needed_for=problems)
    if manifest is not None and problems:
        run.tell(f"keep {layout.manifest_path}  (the install record: the next uninstall finishes with it)")
        _remove_dirs(run, env_parents)
    elif manifest is not None:
        run.say(f"remove {layout.manifest_path}  (the install record)")
        if not dry_run:
            layout.manifest_path.unlink(missing_ok=True)
        run.gone.add(layout.manifest_path)
        _remove_dirs(run, env_parents)
    if problems and dry_run:
        tell("a real run would end with: " + " ".join(problems))
    elif problems:
        raise InstallError("Everything else was removed (the install record stays, and the environment the "
                           "installer made, to finish the job). " + " ".join(problems))


def remove_recorded_file(run: Run, written: WrittenFile, *, why: str = "") -> None:
    path = Path(written.path)
    if not os.path.lexists(path):
        run.tell(f"gone already: {path}")
        return
    if os.path.islink(path):
        run.tell(f"keep {path}  (it is a symbolic link now, not the file install wrote)")
        return
    if not written.owns(regular_file_sha256(path)):
        if written.kind == "template":
            run.tell(f"keep {path}  (changed since install: it may hold your work)")
        else:
            run.tell(f"keep {path}  (not the file install wrote, or changed since: remove it yourself if you "
                     "do not need it)")
        return
    run.say(f"remove {path}" + (f"  ({why})" if why else ""))
    if not run.dry_run:
        try:
            path.unlink()
        except PermissionError:
            raise InstallError(f"Could not remove {path}: Excel has it open. "
                               "Quit Excel (all windows), then run this command again.") from None
    run.gone.add(path)


def _remove_settings(run: Run) -> None:
    """Per settings file, all its keys at once, so the preview sees what the real run sees."""
    expected = run.layout.settings_path
    by_file: dict[str, list] = {}
    for mine in run.manifest.settings:
        by_file.setdefault(mine.file, []).append(mine)
    for name, entries in by_file.items():
        file = Path(name)
        if expected is None or file != expected:
            run.tell(f"keep {file}: install writes settings only to {expected or 'no file on this system'}")
            continue
        if os.path.islink(file):
            run.tell(f"keep {file}  (it is a symbolic link now, not the file install wrote to)")
            continue
        current = settings_file.read_settings(file)
        changed = False
        for mine in entries:
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
            changed = True
        if not changed:
            continue
        if not current and any(mine.created_file for mine in entries):
            run.say(f"remove {file}  (now empty)")
            if not run.dry_run:
                file.unlink()
            run.gone.add(file)
        elif not run.dry_run:
            settings_file.write_settings(file, current)


def _remove_link(run: Run) -> None:
    recorded = run.manifest.link
    if recorded is None:
        return
    link = Path(recorded.path)
    if not os.path.lexists(link):
        run.tell(f"gone already: {link}")
    elif os.path.islink(link) and os.readlink(link) == recorded.target:
        run.say(f"remove the link {link}")
        if not run.dry_run:
            link.unlink()
        run.gone.add(link)
    else:
        run.tell(f"keep {link}  (not the link install made)")


def _remove_environment(run: Run, manifest, *, needed_for: list[str]) -> tuple[Path, ...]:
    """Remove the environment the installer made (proven by its marker); return the folders the
    script made above it, to remove with the others when empty."""
    layout = run.layout
    recorded = manifest.environment if manifest is not None else None
    env = Path(recorded.path) if recorded else layout.env_prefix
    why = unproven(env, recorded.marker_id if recorded else None, layout.home)
    if why:
        if os.path.lexists(env):
            run.tell(f"keep the environment {env}: {why}")
        return ()
    if needed_for:
        run.tell(f"keep the environment {env}: its `rootfi-excel` is needed to finish (see below); "
                 "run uninstall again once that is done")
        return ()
    marker = read_marker(env)
    if os.name == "nt":  # its running programs cannot be deleted: done by a copy once this command ends
        run.say(f"remove the environment {env}, and the folders the installer made for it when empty  "
                "(once this command has ended)")
        if not run.dry_run:
            schedule_removal_after_exit(env, recorded.marker_id, layout.home)
        return ()
    run.say(f"remove the environment {env}  (made by the RootFi installer)")
    if not run.dry_run:
        remove_environment(env)
    run.gone.add(env)
    return marker.parents


def _remove_dirs(run: Run, env_parents: tuple[Path, ...]) -> None:
    """Folders install created (and those the script made for the environment), deepest first."""
    folders: list[tuple[Path, CreatedDir | None]] = [(Path(d.path), d) for d in run.manifest.dirs]
    folders += [(p, None) for p in env_parents if str(p) not in {d.path for d in run.manifest.dirs}]
    for folder, created in sorted(folders, key=lambda item: len(item[0].parts), reverse=True):
        if not os.path.lexists(folder):
            continue
        why = None
        if os.path.islink(folder) or not folder.is_dir():
            why = "it is not the folder install created"
        elif created is not None and (created.identity is None or folder_identity(folder) != created.identity):
            why = "not the folder install created (made again since, or not recorded with its identity)"
        else:
            why = refusal(folder, run.layout.home)
        if why is None and not run.will_be_empty(folder):
            why = "it is not empty"
        if why:
            run.tell(f"keep folder {folder}  ({why})")
            continue
        run.say(f"remove folder {folder}")
        if not run.dry_run:
            folder.rmdir()
        run.gone.add(folder)


def _remove_keys(run: Run, profiles: set[str]) -> list[tuple[str, str | None]]:
    """Remove the keys for RootFi's addresses of `profiles`, and every key stored for another
    address that api/stored_keys.py lists; return (profile, address or None) of each key that
    may still be in the keyring."""
    kept = []
    others = stored_keys.recorded(run.layout.data_dir)
    for profile, address in [*((p, None) for p in sorted(profiles)), *others]:
        whose = f"profile '{profile}'" + (f" for {address}" if address else "")
        try:
            if not key_stored(profile, service=service_for(address)):
                run.tell(f"no API key stored for {whose}")  # (a noted one removed since: its note goes too)
            else:
                run.say(f"remove the API key of {whose} from the keyring")
                if not run.dry_run:
                    delete_api_key(profile, service=service_for(address))
        except CredentialsError as exc:  # e.g. a locked keyring: never say "no key" of a key still there
            run.tell(f"could not remove the API key of {whose}: {exc}")
            kept.append((profile, address))
            continue
        if address and not run.dry_run:
            stored_keys.forget(profile, address, run.layout.data_dir)
    if others:  # a dry run counts the list as gone once every key on it would be
        if not stored_keys.recorded(run.layout.data_dir) or run.dry_run and not kept:
            run.gone.add(stored_keys.record_path(run.layout.data_dir))
    return kept


def _logout_command(profile: str, address: str | None) -> str:
    """The command that removes that one key: a key for another address needs its --base-url."""
    return f"rootfi-excel logout --profile {profile}" + (f" --base-url {address}" if address else "")


def _unsettled(journal: Path) -> int:
    """Attempts whose outcome is not known yet (sending, Pending, Unknown): what the journal
    is there for. -1 when it cannot be read now (locked by a Submit that is running); a
    damaged journal protects nothing (Submit asks for it to be set aside), so it is 0."""
    try:
        with Journal(journal) as opened:
            return sum(len(opened.attempts(state)) for state in OPEN_STATES)
    except (JournalError, OSError, sqlite3.Error) as error:
        return 0 if "is damaged" in str(error) else -1


def _unsettled_in_a_copy(journal: Path) -> int:
    """_unsettled for a dry run, which changes nothing: opening the journal itself may bring
    an older one up to date or leave -wal/-shm files, so a copy (with its -wal) is read."""
    with tempfile.TemporaryDirectory(prefix="rootfi-preview-") as folder:
        copy = Path(folder) / journal.name
        for suffix in ("", "-wal"):
            if Path(str(journal) + suffix).exists():
                shutil.copyfile(str(journal) + suffix, str(copy) + suffix)
        return _unsettled(copy)


def _remove_journal(run: Run) -> str | None:
    """Remove the journal; return why it was kept (None when removed or absent)."""
    journal = run.layout.journal_path
    files = [Path(str(journal) + suffix) for suffix in ("", "-wal", "-shm", "-journal")]
    present = [f for f in files if f.exists()]
    if not present:
        run.tell(f"no journal at {journal}")
        return None
    open_attempts = (_unsettled_in_a_copy(journal) if run.dry_run else _unsettled(journal)) if journal.exists() else 0
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
        run.gone.add(path)
    return None
