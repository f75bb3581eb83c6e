"""Every command's --help at 80 columns: no line longer than the
terminal, no word (an example, a file name) broken across lines, every option described,
no strftime pattern for a date."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from rootfi_excel.cli.main import COMMANDS, cli


def _commands() -> list[tuple[list[str], click.Command]]:
    found = []
    context = click.Context(cli)
    for name in COMMANDS:
        command = cli.get_command(context, name)
        if isinstance(command, click.Group):
            found += [([name, sub], command.commands[sub]) for sub in command.commands]
        else:
            found.append(([name], command))
    return found


@pytest.mark.parametrize("path,command", _commands(), ids=lambda value: " ".join(value) if isinstance(value, list)
                         else "")
def test_help_fits_80_columns_without_breaking_a_word(path, command):
    result = CliRunner().invoke(cli, [*path, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    shown = set(result.output.split())
    texts = [command.help or ""] + [param.help or "" for param in command.params if isinstance(param, click.Option)]
    for text in texts:
        for word in text.replace("\b", " ").split():
            assert word in shown, f"'{word}' is cut across lines in `rootfi-excel {' '.join(path)} --help`"
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{param.opts[0]} of {' '.join(path)} has no description"
    assert "%Y" not in result.output and "%m" not in result.output


def test_uninstall_dry_run_says_it_removes():
    result = CliRunner().invoke(cli, ["uninstall", "--help"], terminal_width=80)
    said = " ".join(result.output.split())
    assert "would remove; remove nothing" in said and "would write" not in said


def test_template_says_its_default_and_the_readme_lists_it():
    from tests.support.paths import REPO

    result = CliRunner().invoke(cli, ["template", "--help"], terminal_width=80)
    assert "OUT defaults to RootFi-Invoice-Import.xlsx" in result.output
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = readme.split("## The command line")[1].split("```")[1]
    for name in COMMANDS:  # every command is in the README's list
        assert f"rootfi-excel {name}" in commands, name
