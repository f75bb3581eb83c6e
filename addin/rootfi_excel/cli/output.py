"""What the command line prints: short summaries that fit on one screen.

Everything goes through `say`, which strips terminal control sequences (server text,
cell text and file names come from outside) and the API key.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

import click

from rootfi_excel.messages import platform, plural
from rootfi_excel.safe_text import printable, redact
from rootfi_excel.sheets.layout import Status
from rootfi_excel.sheets.port import WorkbookPort

if TYPE_CHECKING:  # the type only: this module loads with every command, validation only with some
    from rootfi_excel.validation.workbook_validation import WorkbookValidation

EXIT_OK = 0
EXIT_INVALID = 1  # some rows are invalid or failed
EXIT_UNUSABLE = 2  # the workbook (or the key, the company, the journal) cannot be used as it is
EXIT_STOPPED = 130  # stopped with Ctrl+C (the shell's convention for an interrupt)

MAX_ROWS_SHOWN = 8


def say(text: object = "", *, err: bool = False, fg: str | None = None, bold: bool = False) -> None:
    """Print one message: the one way the command line prints anything.

    On a terminal, long lines are wrapped between words at its width (a terminal
    would cut them mid-word); piped output stays one line per message."""
    clean = printable(redact(text))
    if (sys.stderr if err else sys.stdout).isatty():
        clean = wrapped(clean, shutil.get_terminal_size().columns)
    click.secho(clean, err=err, fg=fg, bold=bold)


def wrapped(text: str, width: int) -> str:
    """Each line wrapped between words to `width`; continuation lines indented under its text."""
    lines = []
    for line in text.split("\n"):
        indent = " " * (len(line) - len(line.lstrip(" ")))
        lines += textwrap.wrap(line, width=max(width - 1, 20), subsequent_indent=indent + "  ",
                               break_long_words=False, break_on_hyphens=False) or [line]
    return "\n".join(lines)


def stop(message: str) -> NoReturn:
    """Print `message` in red on stderr and end the command with exit code 2."""
    say(message, err=True, fg="red")
    raise SystemExit(EXIT_UNUSABLE)


def print_notices(workbook: WorkbookPort) -> None:
    """What the workbook adapter did on its own (e.g. a table extended over rows below it)."""
    for notice in workbook.notices:
        say(f"  ! {notice}", fg="yellow")


def print_validation(report: WorkbookValidation, name: str) -> None:
    integration = report.settings.integration
    say(f"Validated {name}" + (f" for {platform(integration)}" if integration
                               else " (no integration set in Settings: integration-specific fields not checked)"))
    for problem in report.problems:
        say(f"  ! {problem}", fg="yellow")
    for line in report.summary_lines():
        say(f"  {line}")
    shown = 0
    hidden = 0
    for sheet in report.sheets.values():
        for result in sheet.results.values():
            if result.status != Status.INVALID:
                continue
            if shown < MAX_ROWS_SHOWN:
                say(f"  {sheet.layout.sheet} row {result.row_number}: {_short(result.message)}", fg="red")
                shown += 1
            else:
                hidden += 1
    if hidden:
        say(f"  ... and {plural(hidden, 'more invalid row')}: see the message column in the workbook")
    say(report.verdict(), fg="green" if report.all_valid else None)


def _short(text: str, limit: int = 240) -> str:
    """At most `limit` characters, cut between words (the workbook has the whole message)."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def print_submission(submission, name: str) -> None:
    """Counts by status, the first rows that need attention, and the requests used."""
    say(f"Results written to {name}:")
    for status in Status.ALL:
        count = submission.count(status)
        if count:
            colour = {Status.CREATED: "green", Status.INVALID: "red", Status.FAILED: "red"}.get(status, "yellow")
            say(f"  {count:6d} {status}", fg=colour)
    if submission.possible_duplicates:
        say(f"  {submission.possible_duplicates:6d} possible duplicate{'' if submission.possible_duplicates == 1 else 's'}"
            ": someone submitted the same rows at the same moment; void one record of each pair in the platform",
            fg="red")
    for warning in submission.warnings:
        say(f"  ! {_short(warning, 300)}", fg="yellow")
    new, seen = rows_to_look_at(submission)
    groups = new + seen
    for group in groups[:MAX_ROWS_SHOWN]:
        say(f"  {group.line()}")
    hidden = sum(len(group.rows) for group in groups[MAX_ROWS_SHOWN:])
    if hidden:
        say(f"  ... and {plural(hidden, 'more row')} to look at: see the status and message columns in the workbook")
    requests = submission.requests_used
    say(f"  {plural(requests, 'API request')} to RootFi for this Submit (company check, platform look-ups, "
        "sending and collecting)")


@dataclass
class RowGroup:
    """Rows of one sheet with the same status and message: one line, however many rows."""

    sheet: str
    status: str
    message: str
    rows: list[int]

    def line(self) -> str:
        return f"{self.sheet} {rows_said(self.rows)} {self.status}: {_short(self.message)}"


def rows_said(numbers: list[int]) -> str:
    """[7] -> 'row 7'; [2, 3, 4, 9] -> 'rows 2-4, 9'."""
    spans: list[list[int]] = []
    for number in sorted(numbers):
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    text = ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in spans)
    return f"row{'s' if len(numbers) > 1 else ''} {text}"


def rows_to_look_at(submission) -> tuple[list[RowGroup], list[RowGroup]]:
    """The rows that need a look, rows with the same status and message together: first
    what this Submit found (Failed, Unknown, Pending, Skipped, possible duplicates), then
    the Invalid rows Validate already showed."""
    new: dict[tuple[str, str, str], RowGroup] = {}
    seen: dict[tuple[str, str, str], RowGroup] = {}
    for key, sheet in submission.validation.sheets.items():
        outcomes = submission.outcomes.get(key, {})
        for index, result in sheet.results.items():
            outcome = outcomes.get(index)
            status, message = (outcome.status, outcome.message) if outcome else (result.status, result.message)
            flagged = outcome is not None and outcome.flag is not None
            if status in (Status.CREATED, Status.VALID) and not flagged:
                continue
            groups = new if outcome is not None else seen
            group = groups.setdefault((sheet.layout.sheet, status, message),
                                      RowGroup(sheet.layout.sheet, status, message, []))
            group.rows.append(result.row_number)
    return list(new.values()), list(seen.values())


class progress_lines:
    """Progress of a long step on stderr, for the submission engine's progress callback:
    one line per phase ("payments", "credit notes") with its counts by outcome.

    The callback's text is "<phase>: <counts; what is happening now>" (submission/context.py).
    On a terminal each phase has a line updated in place (a short bar, answered/total, the
    text cut to fit, the elapsed time always whole); otherwise (a log, a pipe) each phase's
    line is printed once, plain, when the next phase starts or the step ends."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self._phases: dict[str, list] = {}  # phase -> [done, total, text, started, last]
        self._said: set[str] = set()

    def __enter__(self) -> "progress_lines":
        if self.live:
            from rich.console import Console  # only on a live terminal (a pipe or a log gets plain lines)
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
            from rich.table import Column

            self._progress = Progress(
                TextColumn("{task.fields[phase]}", table_column=Column(no_wrap=True)),
                BarColumn(bar_width=10),
                TextColumn("{task.completed}/{task.fields[total_text]}", table_column=Column(no_wrap=True)),
                TextColumn("{task.description}", table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis")),
                TimeElapsedColumn(table_column=Column(no_wrap=True, min_width=7)),
                # Two columns short of the terminal: the "^C" a terminal echoes at Ctrl+C must not wrap
                # the line, or the line is drawn twice.
                console=Console(file=self.stream, width=max(shutil.get_terminal_size().columns - 2, 40)),
                transient=False, expand=True)
            self._progress.start()
            self._tasks: dict[str, object] = {}
        return self

    def __call__(self, done: int, total: int, text: str) -> None:
        phase, _, what = printable(redact(text)).partition(": ")
        if not what:
            phase, what = "", phase
        now = time.monotonic()
        if phase not in self._phases:
            for earlier in self._phases:  # a new phase: the ones before it are done
                self._say_phase(earlier)
            self._phases[phase] = [done, total, what, now, now]
        else:
            self._phases[phase][:3] = [done, total, what]
            self._phases[phase][4] = now
        if self.live:
            task = self._tasks.get(phase)
            if task is None:
                task = self._tasks[phase] = self._progress.add_task(what, total=total or None, phase=phase,
                                                                     total_text=str(total or "?"))
            self._progress.update(task, completed=done, total=total or None, total_text=str(total or "?"),
                                  description=what)

    def _say_phase(self, phase: str) -> None:
        if self.live or phase in self._said:
            return
        self._said.add(phase)
        done, total, what, started, last = self._phases[phase]
        seconds = round(last - started)
        self.stream.write(f"{phase + ': ' if phase else ''}{done} of {total} answered: {what} ({seconds} s)\n")
        self.stream.flush()

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self._progress.stop()
        for phase in self._phases:
            self._say_phase(phase)
