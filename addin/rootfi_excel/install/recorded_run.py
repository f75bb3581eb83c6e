"""One install, upgrade or uninstall run: every change goes through here, says what it does
(or, with dry_run, would do) in the words and order of the real run, and is recorded.

Nothing is written or removed through a symbolic link: a file is written to a new
temporary name of its own (created exclusively, named in the record first) and then
renamed over the target, and a target that is a link is refused.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rootfi_excel.errors import InstallError
from rootfi_excel.install.layout import Layout
from rootfi_excel.install.manifest import Manifest, WrittenFile, regular_file_sha256, save_manifest, sha256

Tell = Callable[[str], None]


@dataclass
class Run:
    layout: Layout
    manifest: Manifest
    dry_run: bool
    tell: Tell
    gone: set[Path] = field(default_factory=set)  # removed by this run (or, in a dry run, would be)
    _recorded: bool = False

    def say(self, text: str) -> None:
        self.tell(f"would {text}" if self.dry_run else text)

    # -------------------------------------------------------------- the record

    def record(self) -> None:
        """Save the record (said once: it is kept up to date after every step)."""
        if not self._recorded:
            self.say(f"write {self.layout.manifest_path}  (the record of what is installed, kept up to date "
                     "after each step, for upgrade and uninstall)")
            self._recorded = True
        if not self.dry_run:
            save_manifest(self.layout.manifest_path, self.manifest)

    # -------------------------------------------------------------- writing

    def make_dir(self, folder: Path, *, record: bool = True) -> None:
        """Create `folder` and its missing parents, outermost first; each is recorded as ours."""
        missing = []
        for path in (folder, *folder.parents):
            if os.path.lexists(path):
                if os.path.islink(path) and not path.exists():
                    raise InstallError(f"{path} is a symbolic link to nothing: RootFi creates nothing through it. "
                                       "Remove the link or choose another folder, then run this again.")
                break
            missing.append(path)
        for path in reversed(missing):
            self.say(f"create folder {path}")
            if not self.dry_run:
                path.mkdir()
                self.manifest.add_dir(path)
        if missing and record:
            self.record()

    def put_file(self, target: Path, kind: str, write: Callable[[Path], None], what: str) -> None:
        """Write `target` (built by `write` into a scratch file), replacing only a file this install wrote."""
        mine = self.manifest.file(target)
        if os.path.lexists(target):
            if os.path.islink(target):
                raise InstallError(f"{target} is a symbolic link: RootFi writes no file through a link. "
                                   "Move the link away, then run this again.")
            if mine is None or not mine.owns(regular_file_sha256(target)):
                raise InstallError(f"{target} is there already and is not the file this install wrote (or it was "
                                   "changed since), so it is not replaced. Move it away (quit Excel first), then run "
                                   "this again.")
        self.make_dir(target.parent)
        self.say(f"write {target}  ({what})")
        if self.dry_run:
            return
        with tempfile.TemporaryDirectory(prefix="rootfi-") as scratch:
            staged = Path(scratch) / target.name
            write(staged)
            digest = sha256(staged)
            partial = target.with_name(f".{target.name}.{secrets.token_hex(6)}.partial")
            if mine is None:
                mine = WrittenFile(str(target), kind, digest)
                self.manifest.files.append(mine)
            else:
                mine.next_sha256 = digest  # until it is in place, the old and the new content are both ours
            self.manifest.partials.append(str(partial))
            self.record()  # named before it exists: an interrupted write leaves nothing unrecorded
            try:
                _copy_to_new_file(staged, partial)
            except FileExistsError:  # not ours after all: never to be removed as a partial of ours
                self.manifest.partials.remove(str(partial))
                self.record()
                raise InstallError(f"{partial} appeared while RootFi was writing {target}; run this again.") from None
            try:
                os.replace(partial, target)
            except PermissionError:
                os.unlink(partial)
                raise InstallError(f"Could not replace {target}: Excel has it open. "
                                   "Quit Excel (all windows), then run this command again.") from None
            except BaseException:
                os.unlink(partial)
                raise
        self.manifest.partials.remove(str(partial))
        mine.sha256, mine.next_sha256 = digest, None
        self.record()

    # -------------------------------------------------------------- removing

    def will_be_empty(self, folder: Path) -> bool:
        """True when nothing but what this run removes (or would remove) is in `folder`."""
        try:
            names = os.listdir(folder)
        except OSError:
            return False
        return all(folder / name in self.gone for name in names)

    def remove_partials(self) -> None:
        """Temporary files an interrupted write left: named in the record before they were made
        (a name that is not the partial of a recorded file is never taken for one)."""
        for name in list(self.manifest.partials):
            partial = Path(name)
            if not self._is_partial_name(partial):
                self.tell(f"keep {partial}  (the install record names it, but it is not a temporary file of install)")
            elif regular_file_sha256(partial) is not None:
                self.say(f"remove {partial}  (left by an interrupted install)")
                if not self.dry_run:
                    partial.unlink()
                self.gone.add(partial)
            if not self.dry_run:
                self.manifest.partials.remove(name)


    def _is_partial_name(self, partial: Path) -> bool:
        match = _PARTIAL.match(partial.name)
        return bool(match) and any(Path(f.path) == partial.with_name(match.group(1)) for f in self.manifest.files)


_PARTIAL = re.compile(r"^\.(.+)\.[0-9a-f]{12}\.partial$")


def _copy_to_new_file(source: Path, target: Path) -> None:
    """Copy into a file that must not exist yet (never through a link); removed again on failure."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    handle = os.open(target, flags, 0o666)
    try:
        with os.fdopen(handle, "wb") as out, source.open("rb") as data:
            shutil.copyfileobj(data, out)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(target)
        raise
