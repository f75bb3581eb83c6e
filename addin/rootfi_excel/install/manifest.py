"""What `install` wrote, so `uninstall` removes exactly that and `upgrade` knows what it owns.

A JSON file in the product's data folder: every file written (with its SHA-256, so a
template someone filled in is never deleted), every folder created, every setting set
(with the value it replaced), and the key profiles stored.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT = 1


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class WrittenFile:
    path: str
    kind: str  # add-in, applescript, template
    sha256: str


@dataclass
class WrittenSetting:
    file: str
    key: str
    value: str
    previous: str | None = None  # the value before install, restored by uninstall
    created_file: bool = False


@dataclass
class Manifest:
    system: str
    product_version: str
    xlwings_version: str
    interpreter: str
    templates_dir: str | None = None
    files: list[WrittenFile] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    settings: list[WrittenSetting] = field(default_factory=list)
    key_profiles: list[str] = field(default_factory=list)
    format: int = FORMAT

    def file(self, path: Path) -> WrittenFile | None:
        return next((f for f in self.files if f.path == str(path)), None)

    def add_file(self, path: Path, kind: str) -> None:
        self.files = [f for f in self.files if f.path != str(path)]
        self.files.append(WrittenFile(str(path), kind, sha256(path)))

    def setting(self, file: Path, key: str) -> WrittenSetting | None:
        return next((s for s in self.settings if s.file == str(file) and s.key == key), None)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data: dict[str, Any] = json.loads(text)
        data["files"] = [WrittenFile(**f) for f in data.get("files", [])]
        data["settings"] = [WrittenSetting(**s) for s in data.get("settings", [])]
        return cls(**data)


def load_manifest(path: Path) -> Manifest | None:
    try:
        return Manifest.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"The install record {path} is damaged ({type(exc).__name__}); "
                         "run `rootfi-excel install` again to rewrite it.") from exc


def save_manifest(path: Path, manifest: Manifest) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(manifest.to_json(), encoding="utf-8")
    os.replace(temporary, path)
