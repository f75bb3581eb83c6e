"""What differs between Excel and a terminal: how to ask, tell, show progress, get a secret."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol, Sequence


class UserInterface(Protocol):
    """The few things the application layer asks of a front end.

    Excel (`workbook.excel_ui.ExcelUI`): message boxes, the status bar (throttled), a
    masked dialog. Terminal (`cli.terminal_ui.TerminalUI`): lines, a progress bar, a
    hidden prompt. Tests use either with fakes behind them.
    """

    def confirm(self, question: str, details: Sequence[str] = ()) -> bool:
        """Ask a yes/no question; `details` say what it is about. False means no."""

    def tell(self, text: str) -> None:
        """A result the person should read (the end of a run)."""

    def note(self, text: str) -> None:
        """Running commentary: a terminal prints it, Excel shows it in the status bar."""

    def warn(self, text: str) -> None:
        """Something needs attention, but the run did what it could."""

    def error(self, text: str) -> None:
        """The run stopped; the text says why and what to do."""

    def progress(self, done: int, total: int, text: str) -> None:
        """Progress of a long step (called often; the front end decides how often to show it).
        `text` is "<phase>: <what>", e.g. "payments: 120 created, 2 failed; 150 sent in 3 bulk writes":
        a front end may keep one line per phase."""

    def working(self, title: str) -> AbstractContextManager[None]:
        """Around a long step: progress() is called inside it."""

    def ask_secret(self, prompt: str) -> str | None:
        """A secret typed by the person, never shown; None when they cancel."""
