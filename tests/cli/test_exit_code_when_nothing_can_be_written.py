"""Every command ends with exit code 2 when it could not do its job (README), install and
`addin build` included when they cannot write (click's own default would be 1)."""

from __future__ import annotations

from click.testing import CliRunner

from rootfi_excel.cli.main import cli


def test_install_and_addin_build_that_cannot_write_end_with_exit_code_2(tmp_path):
    """README: every command ends with 2 when it could not do its job (click's own default is 1)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    built = CliRunner().invoke(cli, ["addin", "build", "--out", str(blocker / "dist"), "--no-interpreter"])
    assert built.exit_code == 2, built.output
    assert "Cannot write" in built.output and "Traceback" not in built.output
    installed = CliRunner().invoke(cli, ["install", "--yes", "--no-key", "--templates-dir", str(blocker / "t")])
    assert installed.exit_code == 2, installed.output
    assert "Could not change" in installed.output and "Traceback" not in installed.output
