"""installer/install.sh and `rootfi-excel install/uninstall`, run for real as an unprivileged
user in a throwaway tree (tests/support/unprivileged.py), from the folder installer/make-bundle
makes. Every case snapshots the whole tree (paths, modes, contents, links) before and
after: a change outside what the install wrote fails the test, and after uninstall the
tree is what it was before.

The tests share one kit (the hand-out folder, the dependency wheels), made once per run
by whichever xdist worker asks first (tests/support/unprivileged.py); the two that make a whole
environment are marked slow.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.installs import changes, snapshot
from tests.support.unprivileged import Kit, User, environment, shared_kit, throwaway_folder, user_prefix

TEMPLATE = "RootFi-Invoice-Import.xlsx"
MARKER = "made-by-rootfi-installer.txt"
FRAMING = ("Dry run: nothing is changed. A real run takes these steps:", "Dry run: nothing is written.",
           "Dry run: nothing was changed.", "Done.")


@pytest.fixture(scope="session")
def user() -> User:
    found = user_prefix()
    if isinstance(found, str):
        pytest.skip(found)
    return User(*found)


@pytest.fixture(scope="session")
def kit(user, pytestconfig):
    made = shared_kit(user, pytestconfig)
    if isinstance(made, str):
        pytest.skip(made)
    return made


@dataclass
class Tree:
    root: Path
    temp: Path
    user: User
    kit: Kit

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def env_dir(self) -> Path:  # install.sh's default on Linux
        return self.home / ".local" / "share" / "rootfi-excel" / "env"

    @property
    def record_path(self) -> Path:
        return self.home / ".local" / "share" / "rootfi-excel" / "install-manifest.json"

    def env(self, **options) -> dict[str, str]:
        return environment(self.kit, self.root, self.temp, **options)

    def run(self, command: list[str], **options) -> subprocess.CompletedProcess:
        """Run as the user; stdout and stderr in one stream, in the order they were written."""
        return self.user.run(command, env=options.pop("env", None) or self.env(), cwd=self.root,
                             stderr=subprocess.STDOUT, **options)

    def script(self, *args: str, **options) -> subprocess.CompletedProcess:
        return self.run(["bash", str(self.kit.bundle / "install.sh"), *args], **options)

    def record(self) -> dict:
        return json.loads(self.record_path.read_text())


@pytest.fixture
def tree(user, kit):
    root = throwaway_folder(user, "rootfi-installer-tree-")
    (root / "home").mkdir()
    user.give(root)
    temp = throwaway_folder(user, "rootfi-installer-temp-")
    yield Tree(root, temp, user, kit)
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(temp, ignore_errors=True)


def steps(output: str) -> list[str]:
    """What a run said it does, in order: "would " and the scripts' "RootFi: " taken off, the
    lines that only frame a dry or real run left out."""
    said = []
    for line in output.splitlines():
        line = line.removeprefix("RootFi: ").removeprefix("would ")
        if line and not line.startswith(FRAMING):
            said.append(line)
    return said


def install_wrote(tree: Tree) -> set[str]:
    """Every path the install says it wrote: the record's files, folders and link, the record, and
    the environment (with the folders the script made above it)."""
    record = tree.record()
    owned = {f["path"] for f in record["files"]} | {d["path"] for d in record["dirs"]}
    owned |= {str(tree.record_path), record["environment"]["path"]}
    if record.get("link"):
        owned.add(record["link"]["path"])
    marker = Path(record["environment"]["path"]) / MARKER
    owned |= {line.split("=", 1)[1].strip() for line in marker.read_text().splitlines() if line.startswith("parent")}
    return owned


def outside(paths: set[str], owned: set[str], env_dir: Path) -> set[str]:
    return {p for p in paths if p not in owned and not p.startswith(str(env_dir) + os.sep)}


# ------------------------------------------------------------------ the folder to hand out


@pytest.mark.slow
def test_make_bundle_makes_the_folder_to_hand_out(kit, tmp_path):
    import zipfile

    from tests.support.unprivileged import ROOT

    names = sorted(p.name for p in kit.bundle.iterdir())
    wheel = kit.bundle / names[-1]
    assert names == ["README.txt", "install.ps1", "install.sh", wheel.name]
    assert wheel.name.startswith("rootfi_excel-") and wheel.name.endswith("-py3-none-any.whl")
    for script in ("install.sh", "install.ps1"):
        assert (kit.bundle / script).read_bytes() == (ROOT / "installer" / script).read_bytes()
    readme = (kit.bundle / "README.txt").read_text()
    assert "install.ps1 -Uninstall" in readme and "--dry-run" in readme and readme.isascii()
    with zipfile.ZipFile(wheel) as package:
        inside = package.namelist()
    assert "rootfi_excel/install/environment.py" in inside and not any(n.startswith("tests/") for n in inside)
    # an existing folder is never written into
    taken = tmp_path / "taken"
    taken.mkdir()
    refused = subprocess.run([str(ROOT / "installer" / "make-bundle"), str(taken)], capture_output=True, text=True)
    assert refused.returncode == 1 and "Nothing was changed" in refused.stderr and not any(taken.iterdir())


# ------------------------------------------------------------------ the whole life, as IT does it


@pytest.mark.slow
def test_preview_install_twice_upgrade_and_uninstall_change_only_what_the_install_wrote(tree):
    before = snapshot(tree.root)

    preview = tree.script("--dry-run", "--", "--yes")
    assert preview.returncode == 0, preview.stdout
    assert snapshot(tree.root) == before, "the dry run changed the tree"

    real = tree.script("--", "--yes")
    assert real.returncode == 0, real.stdout
    # The script's own steps, word for word; the preview cannot list rootfi-excel's own steps
    # before the environment exists, and says so (its last line).
    *script_steps, note = steps(preview.stdout)
    assert steps(real.stdout)[:len(script_steps)] == script_steps
    assert script_steps[-1] == f"hand over to {tree.env_dir / 'bin' / 'rootfi-excel'} install"
    assert "needs the environment" in note

    after = snapshot(tree.root)
    assert not outside(changes(before, after), install_wrote(tree), tree.env_dir)
    assert (tree.home / "Documents" / "RootFi" / TEMPLATE).is_file()
    link = tree.home / ".local" / "bin" / "rootfi-excel"
    assert os.readlink(link) == str(tree.env_dir / "bin" / "rootfi-excel")
    # not on PATH here: the exact path is printed, and doctor says how to add the folder
    assert f"is not on your PATH: run the command as {tree.env_dir / 'bin' / 'rootfi-excel'}" in real.stdout
    doctor = tree.run([str(link), "doctor"])
    assert f"{link.parent} is not on your PATH" in doctor.stdout
    assert "echo 'export PATH=\"$HOME/.local/bin:$PATH\"' >> ~/.profile" in doctor.stdout
    # a new terminal with ~/.local/bin on PATH finds the command
    found = tree.run(["bash", "-c", "rootfi-excel --help"], env=tree.env(path_extra=str(link.parent)))
    assert found.returncode == 0 and "uninstall" in found.stdout

    # twice in a row: previewed truly, then done, changing only what the install owns
    before_second = snapshot(tree.root)
    preview = tree.script("--dry-run", "--", "--yes")
    assert preview.returncode == 0, preview.stdout
    assert snapshot(tree.root) == before_second
    again = tree.script("--", "--yes")
    assert again.returncode == 0, again.stdout
    assert steps(preview.stdout) == steps(again.stdout)
    assert not outside(changes(before_second, snapshot(tree.root)), install_wrote(tree), tree.env_dir)

    # upgrade: the same, previewed truly
    current = snapshot(tree.root)
    preview = tree.script("--upgrade", "--dry-run")
    assert preview.returncode == 0 and snapshot(tree.root) == current, preview.stdout
    upgraded = tree.script("--upgrade")
    assert upgraded.returncode == 0, upgraded.stdout
    assert steps(preview.stdout) == steps(upgraded.stdout)

    # uninstall: "-- --dry-run" is a dry run of the script too (it once removed the environment)
    current = snapshot(tree.root)
    for dry in (["--uninstall", "--dry-run"], ["--uninstall", "--", "--dry-run"]):
        preview = tree.script(*dry)
        assert preview.returncode == 0, preview.stdout
        assert snapshot(tree.root) == current, dry
    gone = tree.script("--uninstall")
    assert gone.returncode == 0, gone.stdout
    assert steps(preview.stdout) == steps(gone.stdout)
    assert f"remove the environment {tree.env_dir}  (made by the RootFi installer)" in steps(gone.stdout)
    assert not any("keep" in line for line in steps(gone.stdout)), gone.stdout
    assert snapshot(tree.root) == before  # everything the install wrote is gone, nothing else changed


@pytest.mark.slow
def test_an_interrupted_install_is_finished_by_the_next_run_and_then_fully_removed(tree):
    before = snapshot(tree.root)
    started = subprocess.Popen([*tree.user.prefix, "bash", str(tree.kit.bundle / "install.sh"), "--", "--yes"],
                               env=tree.env(), cwd=tree.root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    site = tree.env_dir / "lib"
    venv_own = ("pip", "setuptools", "_distutils_hack", "distutils-precedence.pth", "pkg_resources", "__pycache__")
    deadline = time.monotonic() + 300
    # kill it while pip fills the environment with the dependencies (after the venv is made,
    # before the package itself, which pip installs last)
    while time.monotonic() < deadline and started.poll() is None:
        if any(not p.name.startswith(venv_own) for p in site.glob("python3*/site-packages/*")):
            break
        time.sleep(0.02)
    assert started.poll() is None, "the install ended before it could be interrupted"
    os.killpg(started.pid, signal.SIGKILL)
    started.wait()
    assert (tree.env_dir / MARKER).is_file() and not tree.record_path.exists()
    interrupted = snapshot(tree.root)

    # uninstall now has no rootfi-excel, or no record naming the environment: it removes nothing
    early = tree.script("--uninstall")
    assert early.returncode in (0, 1), early.stdout
    assert "Nothing was changed" in early.stdout or "keep the environment" in early.stdout, early.stdout
    assert snapshot(tree.root) == interrupted

    finished = tree.script("--", "--yes")  # the marked environment is the installer's: used again
    assert finished.returncode == 0, finished.stdout
    assert not outside(changes(before, snapshot(tree.root)), install_wrote(tree), tree.env_dir)

    gone = tree.script("--uninstall")
    assert gone.returncode == 0, gone.stdout
    assert snapshot(tree.root) == before


# ------------------------------------------------------------------ folders that are not the installer's


def test_a_home_folder_that_is_a_venv_is_never_used_nor_removed(tree):
    made = tree.run([tree.kit.python, "-m", "venv", "--without-pip", str(tree.home)])
    assert made.returncode == 0, made.stdout
    (tree.home / "notes.txt").write_text("mine")
    tree.user.give(tree.root)
    before = snapshot(tree.root)

    for args in (["--env-dir", str(tree.home), "--", "--yes"], ["--env-dir", f"{tree.home}/", "--dry-run"]):
        refused = tree.script(*args)
        assert refused.returncode == 1, refused.stdout
        assert "Nothing was changed" in refused.stdout
    gone = tree.script("--uninstall", "--env-dir", str(tree.home))
    assert gone.returncode == 1 and "has no rootfi-excel command" in gone.stdout
    assert snapshot(tree.root) == before

    # rootfi-excel put into that venv by hand (its packages are the kit's environment's, through a
    # .pth file: quicker than pip, and the same to Python), installed from there, uninstalled by
    # the script: what install wrote goes, the home folder stays
    site = next((tree.home / "lib").glob("python3*/site-packages"))
    kit_site = next((tree.kit.command_env / "lib").glob("python3*/site-packages"))
    (site / "rootfi-kit.pth").write_text(f"{kit_site}\n")
    command = tree.home / "bin" / "rootfi-excel"
    command.write_text(f"#!{tree.home / 'bin' / 'python'}\nfrom rootfi_excel.cli.main import main\nmain()\n")
    command.chmod(0o755)
    tree.user.give(tree.root)
    before = snapshot(tree.root)
    installed = tree.run([str(tree.home / "bin" / "rootfi-excel"), "install", "--yes"])
    assert installed.returncode == 0, installed.stdout
    assert f"the environment {tree.home} was not made by the RootFi installer: uninstall keeps it" in installed.stdout
    removed = tree.script("--uninstall", "--env-dir", str(tree.home))
    assert removed.returncode == 0, removed.stdout
    assert f"keep the environment {tree.home}: it is your home folder" in removed.stdout
    assert snapshot(tree.root) == before


def test_a_project_made_with_venv_is_never_used_as_the_environment(tree):
    project = tree.root / "project"
    project.mkdir()
    (project / "app.py").write_text("print('my work')\n")
    tree.user.give(tree.root)
    made = tree.user.run([tree.kit.python, "-m", "venv", "--without-pip", "."], env=tree.env(), cwd=project)
    assert made.returncode == 0, made.stdout + made.stderr
    before = snapshot(tree.root)
    for args in (["--env-dir", str(project), "--", "--yes"], ["--env-dir", "project", "--dry-run"],
                 ["--upgrade", "--env-dir", str(project)], ["--uninstall", "--env-dir", str(project)]):
        refused = tree.script(*args)
        assert refused.returncode == 1, (args, refused.stdout)
        assert "Nothing was changed" in refused.stdout, refused.stdout
    assert "the RootFi installer did not make it" in tree.script("--env-dir", str(project)).stdout
    assert snapshot(tree.root) == before


def test_a_dangling_link_as_the_environment_folder_is_refused(tree):
    (tree.root / "gone").mkdir()
    (tree.home / "env").symlink_to(tree.root / "gone" / "elsewhere")
    tree.user.give(tree.root)
    before = snapshot(tree.root)
    for args in (["--env-dir", str(tree.home / "env")], ["--uninstall", "--env-dir", str(tree.home / "env")]):
        refused = tree.script(*args)
        assert refused.returncode == 1 and "Nothing was changed" in refused.stdout, refused.stdout
    assert snapshot(tree.root) == before


# ------------------------------------------------------------------ the record and links, with rootfi-excel


def command(tree: Tree, *args: str) -> subprocess.CompletedProcess:
    """rootfi-excel of an environment the installer did not make (the kit's), as the user."""
    return tree.run([str(tree.kit.command_env / "bin" / "rootfi-excel"), *args])


def test_dangling_links_are_never_written_through_nor_removed(tree):
    outside_folder = tree.root / "outside"
    outside_folder.mkdir()
    templates = tree.home / "Documents" / "RootFi"
    templates.mkdir(parents=True)
    (templates / TEMPLATE).symlink_to(outside_folder / "template-lands-here.xlsx")
    (tree.home / ".local" / "bin").mkdir(parents=True)
    (tree.home / ".local" / "bin" / "rootfi-excel").symlink_to(outside_folder / "old-rootfi-excel")
    tree.user.give(tree.root)
    before = snapshot(tree.root)

    preview = command(tree, "install", "--yes", "--dry-run")
    assert preview.returncode == 0, preview.stdout
    assert snapshot(tree.root) == before
    installed = command(tree, "install", "--yes")
    assert installed.returncode == 0, installed.stdout
    assert steps(preview.stdout) == steps(installed.stdout)
    assert f"keep {templates / TEMPLATE}  (a symbolic link: RootFi writes nothing through it" in installed.stdout
    assert f"keep {tree.home / '.local' / 'bin' / 'rootfi-excel'}  (something else is there" in installed.stdout
    assert not (outside_folder / "template-lands-here.xlsx").exists()
    record = tree.record()
    assert record["files"] == [] and record["link"] is None and record["environment"] is None
    assert changes(before, snapshot(tree.root)) == {str(tree.home / ".local" / "share"),
                                                    str(tree.home / ".local" / "share" / "rootfi-excel"),
                                                    str(tree.record_path)}
    gone = command(tree, "uninstall")
    assert gone.returncode == 0, gone.stdout
    assert f"keep the environment {tree.kit.command_env}: the RootFi installer did not make it" in gone.stdout
    assert snapshot(tree.root) == before


def test_a_tampered_install_record_removes_nothing_that_is_not_the_installs(tree):
    home = tree.home
    (home / "Documents").mkdir()
    (home / "Documents" / "accounts.xlsx").write_bytes(b"my accounts")
    (home / ".bashrc").write_text('"INTERPRETER_MAC","x"\nalias ll="ls -l"\n')
    (home / "EmptyFolderOfMine").mkdir()
    project = tree.root / "project"
    project.mkdir()
    (project / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (project / MARKER).write_text(f"id = {'c' * 32}\n")  # a marker, but not the one the record names
    (home / "mylink").symlink_to(home / "Documents" / "accounts.xlsx")
    tree.user.give(tree.root)
    before = snapshot(tree.root)

    installed = command(tree, "install", "--yes")
    assert installed.returncode == 0, installed.stdout
    ours = install_wrote_by_command(tree)
    record = tree.record()
    accounts = str(home / "Documents" / "accounts.xlsx")
    record["files"] += [{"path": accounts, "kind": "add-in", "sha256": "0" * 64},
                        {"path": accounts, "kind": "applescript", "sha256": "f" * 64},
                        {"path": str(home / "mylink"), "kind": "template", "sha256": "0" * 64}]
    record["dirs"] += [{"path": str(home), "identity": None}, {"path": "/", "identity": None},
                       {"path": str(home / "Documents"), "identity": [1, 2]},
                       {"path": str(home / "EmptyFolderOfMine"), "identity": [0, 0]}]
    record["settings"].append({"file": str(home / ".bashrc"), "key": "INTERPRETER_MAC", "value": "x",
                               "previous": None, "created_file": True})
    for env in (str(home), str(project)):
        record["environment"] = {"path": env, "marker_id": "d" * 32}
        record["partials"] = [accounts, str(home / ".bashrc")]
        tree.record_path.write_text(json.dumps(record))
        preview = command(tree, "uninstall", "--dry-run")
        assert preview.returncode == 0, preview.stdout
        assert f"keep the environment {env}" in preview.stdout
    gone = command(tree, "uninstall")
    assert gone.returncode == 0, gone.stdout
    assert steps(preview.stdout) == steps(gone.stdout)
    assert f"keep {accounts}  (not the file install wrote" in gone.stdout
    assert f"keep {home / '.bashrc'}: install writes settings only to" in gone.stdout
    assert f"keep folder {home}  (" in gone.stdout and f"keep folder {home / 'EmptyFolderOfMine'}  (" in gone.stdout
    for path in ours:
        assert not os.path.lexists(path), path  # what install wrote is gone
    assert snapshot(tree.root) == before


def install_wrote_by_command(tree: Tree) -> set[str]:
    record = tree.record()
    return {f["path"] for f in record["files"]} | ({record["link"]["path"]} if record["link"] else set())
