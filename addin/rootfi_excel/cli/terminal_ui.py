"""The application layer's UserInterface for a terminal: lines, progress lines, a hidden prompt."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator, Sequence

import click

from rootfi_excel.cli.output import EXIT_UNUSABLE, progress_lines, say

NO_TERMINAL = ("No answer: the input is not a terminal (a pipe, a file or a scheduled task) and it ended before "
               "a yes or no. Nothing was sent. To send without a question, run the same command with --yes.")


class TerminalUI:
    def __init__(self, *, yes: bool = False) -> None:
        self.yes = yes  # --yes: every question answered yes (unattended runs)
        self._bar: progress_lines | None = None

    def confirm(self, question: str, details: Sequence[str] = ()) -> bool:
        for line in details:
            say(line)
        if self.yes:
            return True
        stdin = sys.stdin
        if stdin.isatty():
            return click.confirm(question, default=False)
        # Not a terminal: read one line (a script may pipe "y"); no line at all means
        # nobody is there to answer, which is not a "no" but a run that cannot go on.
        say(f"{question} [y/N]")
        answer = stdin.readline()
        if not answer:
            say(NO_TERMINAL, err=True, fg="red")
            raise SystemExit(EXIT_UNUSABLE)
        return answer.strip().lower() in ("y", "yes")

    def tell(self, text: str) -> None:
        say(text)

    def note(self, text: str) -> None:
        say(text)

    def warn(self, text: str) -> None:
        say(text, fg="yellow", err=True)

    def error(self, text: str) -> None:
        say(text, fg="red", err=True)

    def progress(self, done: int, total: int, text: str) -> None:
        if self._bar is not None:
            self._bar(done, total, text)

    @contextmanager
    def working(self, title: str) -> Iterator[None]:
        with progress_lines() as bar:
            self._bar = bar
            try:
                yield
            finally:
                self._bar = None

    def ask_secret(self, prompt: str) -> str | None:
        return click.prompt(prompt, hide_input=True, default="", show_default=False) or None
