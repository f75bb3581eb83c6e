"""The application layer's UserInterface for a terminal: lines, a progress bar, a hidden prompt."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Sequence

import click

from rootfi_excel.cli.output import progress_bar


class TerminalUI:
    def __init__(self, *, yes: bool = False) -> None:
        self.yes = yes  # --yes: every question answered yes (unattended runs)
        self._bar: progress_bar | None = None

    def confirm(self, question: str, details: Sequence[str] = ()) -> bool:
        for line in details:
            click.echo(line)
        return self.yes or click.confirm(question, default=False)

    def tell(self, text: str) -> None:
        click.echo(text)

    def note(self, text: str) -> None:
        click.echo(text)

    def warn(self, text: str) -> None:
        click.secho(text, fg="yellow", err=True)

    def error(self, text: str) -> None:
        click.secho(text, fg="red", err=True)

    def progress(self, done: int, total: int, text: str) -> None:
        if self._bar is not None:
            self._bar(done, total, text)

    @contextmanager
    def working(self, title: str) -> Iterator[None]:
        with progress_bar() as bar:
            self._bar = bar
            try:
                yield
            finally:
                self._bar = None

    def ask_secret(self, prompt: str) -> str | None:
        return click.prompt(prompt, hide_input=True, default="", show_default=False) or None
