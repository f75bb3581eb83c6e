"""installer/install.ps1, installer/install.sh and installer/make-bundle: parsed, linted and
checked for what they must and must not do (the scripts remove nothing). The shell script
is run end to end, as an unprivileged user, in tests/install/test_installer_runs.py.

PowerShell itself (pwsh) is not offered by the registries this project reaches without a
separate binary download (PyPI's and npm's "pwsh" packages fetch it from elsewhere; Debian
has none), so the script is parsed with pwsh when present, else with tree-sitter's
PowerShell grammar (a PyPI wheel), else the check is skipped and says so.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support.paths import REPO

ROOT = REPO
PS1 = ROOT / "installer" / "install.ps1"
SH = ROOT / "installer" / "install.sh"
MAKE_BUNDLE = ROOT / "installer" / "make-bundle"


# ------------------------------------------------------------- PowerShell


def powershell_errors(source: bytes) -> list[str]:
    """Syntax errors of a PowerShell script, from the best parser available here."""
    pwsh = shutil.which("pwsh")
    if pwsh:
        script = ("$errors = $null; $tokens = $null; "
                  "[System.Management.Automation.Language.Parser]::ParseInput($input | Out-String, "
                  "[ref]$tokens, [ref]$errors) | Out-Null; $errors | ForEach-Object { $_.Message }")
        done = subprocess.run([pwsh, "-NoProfile", "-NonInteractive", "-Command", script], input=source,
                              capture_output=True, timeout=120)
        return [line for line in done.stdout.decode().splitlines() if line.strip()]
    try:
        import tree_sitter
        import tree_sitter_powershell
    except ImportError:
        pytest.skip("No PowerShell parser here: pwsh is not installable from PyPI/Debian/npm without a separate "
                    "binary download, and tree-sitter-powershell is not installed")
    tree = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language())).parse(source)
    errors: list[str] = []

    def walk(node) -> None:
        if node.type == "ERROR" or node.is_missing:
            errors.append(f"line {node.start_point[0] + 1}: {source[node.start_byte:node.end_byte][:60]!r}")
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return errors


def test_powershell_script_parses():
    assert powershell_errors(PS1.read_bytes()) == []


def test_the_powershell_parser_catches_a_broken_script():
    broken = PS1.read_bytes().replace(b"foreach ($place in $places) {", b"foreach ($place in $places {", 1)
    assert broken != PS1.read_bytes()
    assert powershell_errors(broken)


def test_powershell_script_does_what_the_installer_must():
    text = PS1.read_text(encoding="utf-8")
    assert "\\\\WindowsApps\\\\" in text  # the Microsoft Store Python is refused
    assert "Unblock-File" in text
    assert 'Join-Path $env:LOCALAPPDATA "RootFi\\env"' in text  # per-user, no admin rights
    assert "Get-AuthenticodeSignature" in text and "Python Software Foundation" in text
    assert "InstallAllUsers=0" in text  # a per-user python.org install
    for command in ("install", "upgrade", "uninstall"):
        assert f'"{command}"' in text or f"{command} @handOver" in text
    assert text.isascii()  # Windows PowerShell 5.1 reads a BOM-less script as the ANSI code page


def powershell_names(source: bytes) -> tuple[set[str], set[str]]:
    """The commands a PowerShell script runs and the .NET members it calls, from its syntax tree."""
    import tree_sitter
    import tree_sitter_powershell

    tree = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language())).parse(source)
    commands: set[str] = set()
    members: set[str] = set()

    def walk(node) -> None:
        if node.type == "command_name":
            commands.add(node.text.decode().lower())
        elif node.type == "member_name":
            members.add(node.text.decode().strip("'\"").lower())
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return commands, members


# Every PowerShell command and alias that removes, moves, renames or overwrites what is there,
# and the .NET calls that do: the script creates new things only.
PS_REMOVERS = {"remove-item", "ri", "rm", "rmdir", "rd", "del", "erase", "remove-itemproperty", "clear-item",
               "clear-content", "clc", "move-item", "mi", "mv", "move", "rename-item", "rni", "ren",
               "set-content", "sc", "out-file", "copy-item", "cpi", "cp", "copy"}
PS_REMOVING_MEMBERS = {"delete", "move", "moveto", "replace", "writealltext", "writeallbytes"}


def test_powershell_script_removes_nothing_and_uses_no_package_index_fallback():
    pytest.importorskip("tree_sitter_powershell", reason="tree-sitter-powershell is not installed")
    commands, members = powershell_names(PS1.read_bytes())
    assert "new-item" in commands and "unblock-file" in commands  # the parser sees the commands
    assert not commands & PS_REMOVERS, commands & PS_REMOVERS
    assert not members & PS_REMOVING_MEMBERS, members & PS_REMOVING_MEMBERS
    # the checks above catch what they are meant to
    seeded = b"Remove-Item -LiteralPath $EnvDir -Recurse -Force\n[IO.Directory]::Delete($EnvDir, $true)\n"
    caught, caught_members = powershell_names(seeded)
    assert "remove-item" in caught and "delete" in caught_members
    text = PS1.read_text(encoding="utf-8")
    assert 'return "rootfi-excel"' not in text  # no fallback to a package the index does not have
    assert "Test-Removable" not in text


def test_powershell_script_previews_and_marks_the_environment_it_makes():
    text = PS1.read_text(encoding="utf-8")
    assert "[switch]$DryRun" in text
    assert '@("--dry-run") + $handOver' in text  # the dry run reaches rootfi-excel too
    assert 'if ($DryRun) { Say "would $Text" } else { Say $Text } }' in text
    # the environment is a new folder (New-Item fails on an existing one) with the marker and its id
    assert "New-Item -ItemType Directory -Path $EnvDir -ErrorAction Stop" in text
    assert '$Marker = "made-by-rootfi-installer.txt"' in text
    assert "id = $([guid]::NewGuid().ToString('N'))" in text
    assert "Test-MadeByUs $EnvDir" in text
    # every step that changes something is behind "if (-not $DryRun)"
    for change in ("Unblock-File", "New-Item -ItemType Directory -Path $folder", "@(\"-m\", \"venv\", $EnvDir)",
                   "\"pip\", \"install\""):
        line = next(line for line in text.splitlines() if change in line)
        assert "if (-not $DryRun)" in line or "if (-not $DryRun)" in text.split(change)[0].splitlines()[-2], change


# ------------------------------------------------------------- shell


def test_shell_script_syntax():
    done = subprocess.run(["bash", "-n", str(SH)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None,
                    reason="shellcheck is not installed (Debian package 'shellcheck'; .ci/run installs it "
                           "with apt-get when it can)")
def test_shell_scripts_pass_shellcheck():
    for script in (SH, MAKE_BUNDLE):
        done = subprocess.run(["shellcheck", "--shell=bash", str(script)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def bash_commands(source: bytes) -> set[str]:
    """The commands a bash script runs, from its syntax tree (tree-sitter's bash grammar)."""
    import tree_sitter
    import tree_sitter_bash

    tree = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language())).parse(source)
    names: set[str] = set()

    def walk(node) -> None:
        if node.type == "command_name":
            names.add(node.text.decode())
        for child in node.children:
            walk(child)

    walk(tree.root_node)
    return names


SH_REMOVERS = {"rm", "rmdir", "unlink", "mv", "shred", "find", "cp", "ln", "truncate", "dd", "install"}


def test_shell_script_removes_nothing_and_uses_no_package_index_fallback():
    pytest.importorskip("tree_sitter_bash", reason="tree-sitter-bash is not installed")
    commands = bash_commands(SH.read_bytes())
    assert {"mkdir", "exec", "printf"} <= commands  # the parser sees the commands
    assert not commands & SH_REMOVERS, commands & SH_REMOVERS
    assert "rm" in bash_commands(b'if true; then rm -rf "$ENV_DIR"; fi\n')  # and would see a removal
    text = SH.read_text()
    assert 'PACKAGE="${PACKAGE:-rootfi-excel}"' not in text and "rootfi-excel from the package index" not in text
    assert "set -o noclobber" in text  # the marker never overwrites a file


def test_shell_script_help_and_a_wrong_python(tmp_path):
    shown = subprocess.run(["bash", str(SH), "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and "--uninstall" in shown.stdout and "--dry-run" in shown.stdout
    old = tmp_path / "python3"
    old.write_text("#!/bin/sh\nexit 1\n")  # answers like a Python older than 3.11
    old.chmod(0o755)
    refused = subprocess.run(["bash", str(SH), "--python", str(old), "--env-dir", str(tmp_path / "env"),
                              "--package", "anything.whl"], capture_output=True, text=True)
    assert refused.returncode == 1
    assert f"{old} is not a Python 3.11 or newer." in refused.stderr
    assert not (tmp_path / "env").exists()
    unknown = subprocess.run(["bash", str(SH), "--frobnicate"], capture_output=True, text=True)
    assert unknown.returncode == 1 and "unknown option --frobnicate" in unknown.stderr


def test_shell_script_without_a_package_beside_it_says_so_and_changes_nothing(tmp_path):
    alone = tmp_path / "folder"
    alone.mkdir()
    shutil.copy(SH, alone / "install.sh")
    done = subprocess.run(["bash", str(alone / "install.sh"), "--env-dir", str(tmp_path / "env")],
                          capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 1
    assert f"No rootfi_excel-*.whl beside this script ({alone})" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]
