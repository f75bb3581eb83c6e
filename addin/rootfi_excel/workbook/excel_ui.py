"""The application layer's UserInterface inside Excel: message boxes, the status bar, a
masked dialog for the API key; and `session()`, which gives Excel back as it was.

Excel calls cost milliseconds each and the submission engine reports progress once per
record, so the status bar is updated at most `1 / min_interval` times a second (a
clock you can fake in tests): the number of Excel calls does not grow with the rows.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

TITLE = "RootFi"
MAX_ALERT = 900  # a message box shows about 1,024 characters on Windows
_CLI_LOGIN = re.compile(r"Run: rootfi-excel login( --base-url \S+)?( --profile \S+)?|run `rootfi-excel login` again")


class ExcelUI:
    def __init__(self, app: Any, *, clock: Callable[[], float] = time.monotonic, min_interval: float = 0.25,
                 ask_secret: Callable[[str], str | None] | None = None) -> None:
        self.app = app
        self.clock = clock
        self.min_interval = min_interval
        self._ask_secret = ask_secret or _masked_dialog
        self._shown_at: float | None = None
        self._screen_off = False
        self._footnotes: list[str] = []  # said once, under the next message box

    # --------------------------------------------------------- UserInterface

    def confirm(self, question: str, details: Sequence[str] = ()) -> bool:
        text = question + ("\n\n" + "\n".join(d.strip() for d in details) if details else "")
        return self._alert(text, buttons="yes_no") == "yes"

    def tell(self, text: str) -> None:
        self._alert(text, mode="info")

    def note(self, text: str) -> None:
        self.app.status_bar = f"RootFi: {text.splitlines()[0]}" if text else False

    def warn(self, text: str) -> None:
        self._alert(text)

    def error(self, text: str) -> None:
        self._alert(text, mode="critical")

    def progress(self, done: int, total: int, text: str) -> None:
        now = self.clock()
        if self._shown_at is not None and now - self._shown_at < self.min_interval:
            return
        self._shown_at = now
        self.app.status_bar = f"RootFi: {text} ({done}/{total})" if total else f"RootFi: {text}"

    @contextmanager
    def working(self, title: str) -> Iterator[None]:
        self.app.status_bar = f"RootFi: {title}…"
        try:
            yield
        finally:
            self._shown_at = None
            self.app.status_bar = False

    def ask_secret(self, prompt: str) -> str | None:
        return self._ask_secret(prompt)

    # ------------------------------------------------------------ Excel only

    def add_footnote(self, text: str) -> None:
        """A line to add under the next message box (once), e.g. a notice about the workbook."""
        self._footnotes.append(text)

    def flush_footnotes(self) -> None:
        """Footnotes no message box has carried yet get a box of their own."""
        if self._footnotes:
            text, self._footnotes = "\n".join(self._footnotes), []
            self.tell(text)

    @contextmanager
    def session(self) -> Iterator[None]:
        """Screen updating, events and automatic calculation off while a button runs;
        each restored afterwards (also after an error), and the status bar given back."""
        saved: dict[str, Any] = {}
        for name, value in (("screen_updating", False), ("enable_events", False), ("calculation", "manual")):
            try:
                saved[name] = getattr(self.app, name)
                setattr(self.app, name, value)
            except Exception:  # an Excel that refuses one setting still runs the button
                saved.pop(name, None)
        self._screen_off = "screen_updating" in saved
        try:
            yield
        finally:
            for name, value in saved.items():
                try:
                    setattr(self.app, name, value)
                except Exception:
                    pass
            try:
                self.app.status_bar = False
            except Exception:
                pass
            self._screen_off = False

    def _alert(self, text: str, *, buttons: str = "ok", mode: str | None = None) -> str | None:
        if self._screen_off:  # let the person see the sheet behind the message
            self.app.screen_updating = True
            self._screen_off = False
        text = _CLI_LOGIN.sub("Press Set API key on the RootFi tab", text)
        footer, self._footnotes = "".join(f"\n\n{line}" for line in self._footnotes), []
        room = MAX_ALERT - len(footer)  # a long message is cut, never its footnote
        if len(text) > room:
            text = text[: room - 1] + "…"
        text += footer
        return self.app.alert(text, title=TITLE, buttons=buttons, mode=mode)


def _masked_dialog(prompt: str) -> str | None:
    """A small window with a masked entry (xlwings has no masked input box). tkinter
    ships with the python.org installers for Windows and macOS."""
    import tkinter as tk  # optional: a Python without Tk still runs every other button

    answer: dict[str, str | None] = {"key": None}
    root = tk.Tk()
    root.title("RootFi — API key")
    root.attributes("-topmost", True)
    root.resizable(False, False)
    tk.Label(root, text=prompt, justify="left", wraplength=380).pack(padx=16, pady=(16, 8), anchor="w")
    entry = tk.Entry(root, show="*", width=48)
    entry.pack(padx=16, pady=4)
    entry.focus_force()

    def save(_: object = None) -> None:
        answer["key"] = entry.get()
        root.destroy()

    buttons = tk.Frame(root)
    buttons.pack(padx=16, pady=(8, 16), anchor="e")
    tk.Button(buttons, text="Cancel", width=10, command=root.destroy).pack(side="right", padx=(8, 0))
    tk.Button(buttons, text="Save", width=10, command=save, default="active").pack(side="right")
    root.bind("<Return>", save)
    root.bind("<Escape>", lambda _: root.destroy())
    root.mainloop()
    return answer["key"]


def choose_save_path(suggested: Any) -> Any | None:
    """A Save As dialog for a new workbook (tkinter); None when cancelled."""
    from tkinter import Tk, filedialog  # optional: see _masked_dialog

    root = Tk()
    root.withdraw()
    root.attributes("-topmost", True)
    try:
        chosen = filedialog.asksaveasfilename(
            parent=root, title="New RootFi workbook", initialdir=str(suggested.parent),
            initialfile=suggested.name, defaultextension=".xlsx", filetypes=[("Excel workbook", "*.xlsx")])
    finally:
        root.destroy()
    return Path(chosen).with_suffix(".xlsx") if chosen else None
