"""installer/install.ps1 and installer/install.sh: parsed, linted, and (the shell script)
run end to end on this Linux machine.

PowerShell itself (pwsh) is not offered by the registries this project reaches without a
separate binary download (PyPI's and npm's "pwsh" packages fetch it from elsewhere; Debian
has none), so the script is parsed with pwsh when present, else with tree-sitter's
PowerShell grammar (a PyPI wheel), else the check is skipped and says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PS1 = ROOT / "installer" / "install.ps1"
SH = ROOT / "installer" / "install.sh"


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
        assert f'"{command}"' in text or f"{command} @InstallArgs" in text
    assert text.isascii()  # Windows PowerShell 5.1 reads a BOM-less script as the ANSI code page


# ------------------------------------------------------------- shell


def test_shell_script_syntax():
    done = subprocess.run(["bash", "-n", str(SH)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(shutil.which("shellcheck") is None,
                    reason="shellcheck is not installed (Debian package 'shellcheck'; .ci/run installs it "
                           "with apt-get when it can)")
def test_shell_script_passes_shellcheck():
    done = subprocess.run(["shellcheck", "--shell=bash", str(SH)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_shell_script_help_and_a_wrong_python(tmp_path):
    shown = subprocess.run(["bash", str(SH), "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and "--uninstall" in shown.stdout
    old = tmp_path / "python3"
    old.write_text("#!/bin/sh\nexit 1\n")  # answers like a Python older than 3.11
    old.chmod(0o755)
    refused = subprocess.run(["bash", str(SH), "--python", str(old), "--env-dir", str(tmp_path / "env")],
                             capture_output=True, text=True)
    assert refused.returncode == 1
    assert f"{old} is not a Python 3.11 or newer." in refused.stderr
    assert not (tmp_path / "env").exists()
    unknown = subprocess.run(["bash", str(SH), "--frobnicate"], capture_output=True, text=True)
    assert unknown.returncode == 1 and "unknown option --frobnicate" in unknown.stderr


@pytest.mark.slow
def test_shell_script_installs_and_uninstalls_on_linux(tmp_path):
    """The real thing: a new environment, pip installs this checkout, hands over to `rootfi-excel install`."""
    env = {**os.environ, "HOME": str(tmp_path / "home"), "ROOTFI_EXCEL_HOME": str(tmp_path / "data")}
    env.pop("ROOTFI_API_KEY", None)
    env_dir, share = tmp_path / "env", tmp_path / "share"
    done = subprocess.run(["bash", str(SH), "--python", sys.executable, "--env-dir", str(env_dir),
                           "--package", str(ROOT), "--", "--yes", "--templates-dir", str(share)],
                          capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "No Excel on Linux" in done.stdout
    assert (env_dir / "bin" / "rootfi-excel").is_file()
    assert (share / "RootFi-Invoice-Import.xlsx").is_file()
    manifest = json.loads((tmp_path / "data" / "install-manifest.json").read_text())
    assert manifest["interpreter"] == str(env_dir / "bin" / "python")

    gone = subprocess.run(["bash", str(SH), "--uninstall", "--env-dir", str(env_dir)],
                          capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300)
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert not env_dir.exists() and not share.exists()
    assert not (tmp_path / "data" / "install-manifest.json").exists()
