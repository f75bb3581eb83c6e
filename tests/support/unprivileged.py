"""Running the installer as an unprivileged user in a throwaway tree.

When the tests run as root (CI does), the commands run as `nobody` through setpriv (or
runuser), so a write outside what that user owns fails as it would for an accountant,
and nothing can touch the real home. The throwaway tree and the kit (the hand-out folder
made by installer/make-bundle, a folder of dependency wheels so pip needs no network,
and an environment with the package that the installer did not make) are made under
the system's temporary folder, readable by that user.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHONS = ("/usr/bin/python3", "/usr/local/bin/python3", "python3.13", "python3.12", "python3.11", "python3")


def user_prefix() -> tuple[list[str], int, int] | str:
    """(command prefix, uid, gid) to run a command as an unprivileged user; or why it cannot be done."""
    if os.geteuid() != 0:
        return [], os.getuid(), os.getgid()
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        return "there is no user 'nobody' to run the installer as"
    setpriv = shutil.which("setpriv")
    if setpriv:
        return ([setpriv, f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups", "--"],
                nobody.pw_uid, nobody.pw_gid)
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "nobody", "--"], nobody.pw_uid, nobody.pw_gid
    return "running as root, and neither setpriv nor runuser is here to run the installer as an unprivileged user"


@dataclass
class User:
    prefix: list[str]
    uid: int
    gid: int

    def give(self, path: Path) -> None:
        """Make `path` (a folder tree) the user's own."""
        if os.geteuid() == 0:
            for folder, dirs, files in os.walk(path):
                for name in [folder, *(os.path.join(folder, n) for n in dirs + files)]:
                    os.lchown(name, self.uid, self.gid)

    def run(self, command: list[str], *, env: dict[str, str], cwd: Path, timeout: float = 600,
            **options) -> subprocess.CompletedProcess:
        options.setdefault("stderr", subprocess.PIPE)
        return subprocess.run([*self.prefix, *command], env=env, cwd=cwd, stdout=subprocess.PIPE, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout, **options)

    def python(self) -> str | None:
        """A Python 3.11+ with venv and ensurepip that this user can run."""
        probe = "import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 11) else 1)"
        for name in PYTHONS:
            found = shutil.which(name)
            if found and subprocess.run([*self.prefix, found, "-c", probe], capture_output=True,
                                        env={"PATH": "/usr/bin:/bin"}, cwd="/").returncode == 0:
                return found
        return None


@dataclass
class Kit:
    """What every run needs: the hand-out folder, the dependency wheels, a Python, an environment."""

    folder: Path
    bundle: Path  # what installer/make-bundle made: the wheel, install.sh, install.ps1, README.txt
    wheels: Path
    python: str
    command_env: Path  # an environment with the package, made here (not by the installer)


def make_kit(user: User) -> Kit | str:
    python = user.python()
    if python is None:
        return "no Python 3.11+ with venv and ensurepip that the unprivileged user can run"
    folder = Path(tempfile.mkdtemp(prefix="rootfi-installer-kit-"))
    folder.chmod(0o755)
    bundle = folder / "bundle"
    made = subprocess.run([str(ROOT / "installer" / "make-bundle"), str(bundle)], capture_output=True, text=True,
                          env={**os.environ, "PYTHON": sys.executable}, timeout=600)
    if made.returncode != 0:
        raise RuntimeError(f"installer/make-bundle failed: {made.stdout}{made.stderr}")
    wheel = next(bundle.glob("rootfi_excel-*.whl"))
    wheels = folder / "wheels"
    fetched = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(wheels), str(wheel)],
                             capture_output=True, text=True, timeout=600)
    if fetched.returncode != 0:
        raise RuntimeError(f"pip wheel of the dependencies failed: {fetched.stderr[-2000:]}")
    command_env = folder / "command-env"
    subprocess.run([python, "-m", "venv", "--without-pip", str(command_env)], check=True, capture_output=True,
                   timeout=300)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(command_env / "bin" / "python"), "install",
                    "--quiet", "--no-index", "--find-links", str(wheels), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    for path in folder.rglob("*"):
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o444 | (0o111 if path.is_dir() else 0))
    return Kit(folder, bundle, wheels, python, command_env)


def _shared_folder(config) -> Path:
    """The pytest run's own temporary folder, the same for every xdist worker (the workers' are in it)."""
    base = config._tmp_path_factory.getbasetemp()  # as xdist itself finds it
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_kit(user: User, config) -> Kit | str:
    """The kit, made once per test run whichever worker asks first (the others wait and use it)."""
    from filelock import FileLock

    shared = _shared_folder(config)
    record = shared / "installer-kit.json"
    with FileLock(str(shared / "installer-kit.lock")):
        if record.exists():
            known = json.loads(record.read_text())
            return known["skip"] if "skip" in known else Kit(**{k: Path(v) if k != "python" else v
                                                                for k, v in known.items()})
        made = make_kit(user)
        record.write_text(json.dumps({"skip": made} if isinstance(made, str) else
                                     {k: str(v) for k, v in vars(made).items()}))
        return made


def remove_kit(config) -> None:
    """At the end of the run, by the process that started the workers (tests/conftest.py)."""
    record = _shared_folder(config) / "installer-kit.json"
    if record.exists():
        folder = json.loads(record.read_text()).get("folder")
        if folder and Path(folder).name.startswith("rootfi-installer-kit-"):
            shutil.rmtree(folder, ignore_errors=True)
        record.unlink()


def throwaway_folder(user: User, prefix: str) -> Path:
    """A new folder of the user's own."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    user.give(folder)
    return folder


def environment(kit: Kit, tree: Path, temp: Path, *, path_extra: str = "") -> dict[str, str]:
    """A clean environment for the user's commands: HOME in the tree, the temporary folder outside
    it (what the system cleans), pip fed from the kit's wheels."""
    return {
        "PATH": (path_extra + ":" if path_extra else "") + "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tree / "home"),
        "TMPDIR": str(temp),
        "LANG": "C.UTF-8",
        "SHELL": "/bin/bash",
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(kit.wheels),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
