"""The error boundary: one readable line, exit code 2, the detail in a log without the key;
Ctrl+C is a short "Stopped" line; nothing printed carries terminal control sequences."""

from __future__ import annotations

import click

import logging
import os
import secrets
from pathlib import Path

import pytest
from click.testing import CliRunner

from rootfi_excel import failures
from rootfi_excel.cli.main import COMMANDS, LazyGroup, cli
from rootfi_excel.cli.guarded import GuardedCommand
from rootfi_excel.cli.output import say
from rootfi_excel.errors import WorkbookError
from rootfi_excel.safe_text import hide, printable, redact
from tests.support.broken_books import damaged_sheet_xml, good_book
from tests.support.paths import REPO


def home() -> Path:
    return Path(os.environ["ROOTFI_EXCEL_HOME"])


def test_every_command_has_the_error_boundary():
    group = LazyGroup()
    for name in COMMANDS:
        command = group.get_command(None, name)
        leaves = command.commands.values() if isinstance(command, click.Group) else [command]
        for leaf in leaves:  # a group (rootfi-excel addin ...) guards each of its commands
            assert isinstance(leaf, GuardedCommand), f"{name} {leaf.name}"


def test_an_unexpected_error_is_one_line_with_exit_2_and_its_traceback_is_in_the_log(tmp_path, monkeypatch):
    from rootfi_excel.cli import validate_cmd

    def crash(workbook, **options):
        raise ZeroDivisionError("something nobody planned for")

    monkeypatch.setattr(validate_cmd, "validate_and_mark", crash)
    result = CliRunner().invoke(cli, ["validate", str(good_book(tmp_path))])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    [line] = result.stderr.strip().splitlines()
    log = home() / "logs" / "rootfi-excel.log"
    assert line.startswith("Cannot validate good.xlsx: an unexpected problem (ZeroDivisionError")
    assert f"(details: {log})" in line
    text = log.read_text()
    assert "Traceback" in text and "ZeroDivisionError: something nobody planned for" in text and "crash" in text
    assert "Traceback" not in result.output


def test_a_damaged_file_names_the_file_and_what_to_do_and_logs_the_parser_error(tmp_path):
    result = CliRunner().invoke(cli, ["validate", str(damaged_sheet_xml(tmp_path))])
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert "damaged-sheet.xlsx" in line and "damaged XML" in line and "save it as an .xlsx workbook" in line
    assert "ParseError" in (home() / "logs" / "rootfi-excel.log").read_text()  # the cause, for support


def test_the_log_folder_can_be_moved_and_a_log_that_cannot_be_written_is_no_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("ROOTFI_EXCEL_LOG_DIR", str(tmp_path / "elsewhere"))
    assert failures.log_file() == tmp_path / "elsewhere" / "rootfi-excel.log"
    line = failures.report(RuntimeError("boom"), doing="test it")
    assert (tmp_path / "elsewhere" / "rootfi-excel.log").exists() and "details:" in line
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("ROOTFI_EXCEL_LOG_DIR", str(tmp_path / "a-file" / "logs"))  # cannot be a folder
    line = failures.report(RuntimeError("boom"), doing="test it")
    assert line.startswith("Cannot test it: an unexpected problem (RuntimeError: boom)")
    assert "no log could be written" in line


def test_without_ROOTFI_EXCEL_HOME_the_log_is_in_the_users_log_folder(monkeypatch):
    import platformdirs

    monkeypatch.delenv("ROOTFI_EXCEL_HOME")
    monkeypatch.delenv("ROOTFI_EXCEL_LOG_DIR", raising=False)
    assert failures.log_file() == Path(platformdirs.user_log_dir("rootfi-excel", appauthor=False)) / "rootfi-excel.log"


def test_the_key_never_reaches_the_log_the_screen_or_another_handler(tmp_path, monkeypatch, caplog):
    """A failure whose message and traceback carry the key (a server that echoes it, a
    library that puts it in an error): the log, the line and a host's own log handler
    never see it."""
    from rootfi_excel.app import submit as submitting

    sentinel = "rk_SENTINEL_" + secrets.token_hex(12)
    monkeypatch.setenv("ROOTFI_API_KEY", sentinel)

    def leaky(*args, **kwargs):
        raise RuntimeError(f"server said: bad api_key {sentinel} for request headers {{'api_key': '{sentinel}'}}")

    monkeypatch.setattr(submitting, "plan_submission", leaky)
    caplog.set_level(logging.DEBUG)
    result = CliRunner().invoke(cli, ["submit", str(good_book(tmp_path, company_id=1003)), "--yes",
                                      "--base-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2
    log = (home() / "logs" / "rootfi-excel.log").read_text()
    assert "server said: bad api_key ***" in log and "Traceback" in log  # the detail is there...
    assert "Nothing is sent twice" in result.output
    for text in (log, result.output, caplog.text):
        assert sentinel not in text  # ...without the key


def test_redact_and_hide():
    secret = "rk_" + secrets.token_hex(8)
    assert redact(f"key {secret} here") == f"key {secret} here"
    hide(secret)
    assert redact(f"key {secret} here") == "key *** here"
    assert redact('{"api_key": "abc123"} api-key=xyz') == '{"api_key": "***"} api-key=***'


@pytest.mark.parametrize("hostile, shown", [
    ("red \x1b[31mtext\x1b[0m", "red text"),
    ("title \x1b]0;pwned\x07after", "title after"),
    ("title \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "title link"),
    ("clear \x1b[2J\x1b[Hscreen", "clear screen"),
    ("8-bit \x9b31mCSI and \x9d0;x\x9c OSC", "8-bit CSI and  OSC"),
    ("bell\x07 back\x08space cr\roverwrite nul\x00 del\x7f", "bell backspace croverwrite nul del"),
    ("keeps\ttabs\nand newlines, é and 日本", "keeps\ttabs\nand newlines, é and 日本"),
    ("unterminated \x1b]0;title", "unterminated "),
])
def test_printable_strips_terminal_control_sequences(hostile, shown):
    assert printable(hostile) == shown


def test_everything_printed_goes_through_the_one_helper():
    """No command prints with click.echo/secho or print() of its own: only `say` does."""
    folder = REPO / "addin" / "rootfi_excel" / "cli"
    for path in folder.glob("*.py"):
        text = path.read_text()
        if path.name == "output.py":
            text = text.replace("click.secho(clean, err=err, fg=fg, bold=bold)", "", 1)  # in say(), once
        assert "click.echo(" not in text and "click.secho(" not in text and "print(" not in text, path.name


def test_a_file_name_with_escape_sequences_is_printed_without_them(tmp_path, capsys):
    hostile = tmp_path / "book\x1b]0;pwned\x07\x1b[2J.xlsx"
    good_book(tmp_path).rename(hostile)
    result = CliRunner().invoke(cli, ["validate", str(hostile)])
    assert result.exit_code == 0, result.output
    assert "Validated book.xlsx" in result.output and "\x1b" not in result.output and "\x07" not in result.output
    say("server: \x1b[31mred\x1b[0m \x9b2J")
    assert capsys.readouterr().out == "server: red \n"


def test_ctrl_c_is_a_short_stopped_line_not_a_traceback(tmp_path, monkeypatch):
    from rootfi_excel.cli import validate_cmd

    def interrupted(workbook, **options):
        raise KeyboardInterrupt

    monkeypatch.setattr(validate_cmd, "validate_and_mark", interrupted)
    path = good_book(tmp_path)
    before = path.read_bytes()
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 130
    assert result.stderr.strip().startswith("Stopped (Ctrl+C)")
    assert "Aborted" not in result.output and "Traceback" not in result.output
    assert path.read_bytes() == before
    # The workbook was let go: the next run can use it.
    monkeypatch.undo()
    assert CliRunner().invoke(cli, ["validate", str(path)]).exit_code == 0


def test_no_answer_at_a_question_is_said_plainly(tmp_path):
    result = CliRunner().invoke(cli, ["login"], input="")  # the input ends before a key is typed
    assert result.exit_code == 2
    assert "No answer was typed" in result.output and "Aborted" not in result.output


def test_template_refusing_to_overwrite_is_exit_2(tmp_path):
    out = tmp_path / "t.xlsx"
    out.write_text("mine")
    result = CliRunner().invoke(cli, ["template", str(out)])
    assert result.exit_code == 2 and "pass --force" in result.output
    assert out.read_text() == "mine"


def test_readable_errors_are_not_called_unexpected():
    error = WorkbookError("The workbook has no sheet named 'Invoice Payments'")
    assert failures.explain(error) == str(error)
    assert failures.report(error, doing="validate b.xlsx") == (
        "Cannot validate b.xlsx: The workbook has no sheet named 'Invoice Payments'")
    assert "unexpected" in failures.explain(KeyError("x"))
    assert "check the path" in failures.explain(FileNotFoundError(2, "No such file or directory", "/x/y.xlsx"))


def test_a_ribbon_button_never_ends_in_a_traceback():
    from rootfi_excel import ribbon

    ribbon.dispatch("validate")  # no Excel here: nothing to show it in, and nothing raises
    log = (home() / "logs" / "rootfi-excel.log").read_text()
    assert "Cannot find the workbook for the validate button" in log and "Traceback" in log


def test_the_validate_button_says_when_it_took_rows_typed_below_the_table():
    from rootfi_excel import ribbon
    from rootfi_excel.workbook.excel import ExcelWorkbook
    from rootfi_excel.workbook.excel_ui import ExcelUI
    from tests.support.excel_books import excel_book

    book, _ = excel_book(rows=1, below=2)
    ribbon.press("validate", ExcelWorkbook(book), ExcelUI(book.app, clock=lambda: 0.0))
    text = book.app.alerts[-1][0]
    assert text.startswith("Invoice Payments: the table was extended over rows 5-6 typed below it")
    assert "3 rows (3 valid)" in text
