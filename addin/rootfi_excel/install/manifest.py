"""What `install` wrote, so `uninstall` removes exactly that and `upgrade` knows what it owns.

A JSON file in the product's data folder: every file written (with its SHA-256: a file is
removed or replaced only while it still has the content install wrote), every folder
created (with its identity on the disk, so a folder made again by someone else is not
taken for ours), every setting set (with the value it replaced), the link to the
command, the environment the installer made (the id of its marker), the key profiles
stored, and the temporary files of a write in progress (an interrupted install leaves
nothing that the next run does not know about).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rootfi_excel import __version__
from rootfi_excel.install.layout import Layout

FORMAT = 2


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def regular_file_sha256(path: Path) -> str | None:
    """The file's SHA-256 when `path` is a regular file itself (a link is not followed); else None."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return None
        digest = hashlib.sha256()
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
        return digest.hexdigest()


def folder_identity(path: Path) -> list[int] | None:
    """(device, inode) of a real folder (not through a link), or None."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return [info.st_dev, info.st_ino] if stat.S_ISDIR(info.st_mode) else None


@dataclass
class WrittenFile:
    path: str
    kind: str  # add-in, applescript, template
    sha256: str
    next_sha256: str | None = None  # while a new version is being put in place: either is ours

    def owns(self, digest: str | None) -> bool:
        return digest is not None and digest in (self.sha256, self.next_sha256)


@dataclass
class CreatedDir:
    path: str
    identity: list[int] | None = None  # None: a record of the first format, which did not keep it


@dataclass
class WrittenSetting:
    file: str
    key: str
    value: str
    previous: str | None = None  # the value before install, restored by uninstall
    created_file: bool = False


@dataclass
class CommandLink:
    path: str  # ~/.local/bin/rootfi-excel
    target: str  # the environment's rootfi-excel


@dataclass
class Environment:
    path: str
    marker_id: str  # the random id the installer script wrote into the environment's marker


@dataclass
class Manifest:
    system: str
    product_version: str
    xlwings_version: str
    interpreter: str
    templates_dir: str | None = None
    files: list[WrittenFile] = field(default_factory=list)
    dirs: list[CreatedDir] = field(default_factory=list)
    settings: list[WrittenSetting] = field(default_factory=list)
    key_profiles: list[str] = field(default_factory=list)
    link: CommandLink | None = None
    environment: Environment | None = None
    partials: list[str] = field(default_factory=list)  # temporary files of a write in progress
    format: int = FORMAT

    def file(self, path: Path) -> WrittenFile | None:
        return next((f for f in self.files if f.path == str(path)), None)

    def add_dir(self, path: Path) -> None:
        self.dirs = [d for d in self.dirs if d.path != str(path)]
        self.dirs.append(CreatedDir(str(path), folder_identity(path)))

    def setting(self, file: Path, key: str) -> WrittenSetting | None:
        return next((s for s in self.settings if s.file == str(file) and s.key == key), None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data: dict[str, Any] = json.loads(text)
        data["files"] = [WrittenFile(**f) for f in data.get("files", [])]
        data["dirs"] = [CreatedDir(d) if isinstance(d, str) else CreatedDir(**d) for d in data.get("dirs", [])]
        data["settings"] = [WrittenSetting(**s) for s in data.get("settings", [])]
        data["link"] = CommandLink(**data["link"]) if data.get("link") else None
        data["environment"] = Environment(**data["environment"]) if data.get("environment") else None
        data["partials"] = [str(p) for p in data.get("partials", [])]
        return cls(**data)


def load_manifest(path: Path) -> Manifest | None:
    if path.is_symlink():
        raise ValueError(f"The install record {path} is damaged (a symbolic link); "
                         "run `rootfi-excel install` again to rewrite it.")
    try:
        return Manifest.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"The install record {path} is damaged ({type(exc).__name__}); "
                         "run `rootfi-excel install` again to rewrite it.") from exc


def save_manifest(path: Path, manifest: Manifest) -> None:
    """Replace the record atomically (its folder exists: install creates and records it first)."""
    temporary = path.with_name(path.name + ".partial")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(manifest.to_json())
    os.replace(temporary, path)


def xlwings_version() -> str:
    import xlwings  # only when installing or removing: xlwings is slow to import

    return xlwings.__version__


def new_manifest(layout: Layout) -> Manifest:
    """An empty record for an install on `layout` by this version of the product."""
    return Manifest(system=layout.system, product_version=__version__, xlwings_version=xlwings_version(),
                    interpreter=str(layout.interpreter))
