"""The error boundary: any failure becomes one readable line, its detail goes to the log.

Every command ends through here instead of in a traceback, and the Excel ribbon can do
the same:

    try:
        ...
    except Exception as error:
        tell(report(error, doing="submit Book1.xlsx"))

`report` writes the traceback to the log file (`log_file()`, under the user's log
folder; the API key and terminal control sequences removed) and returns one line: what
went wrong, what to do, and where the detail is. `logging_to_file()` also sends the
package's own log records (retries, waits) to that file while a command runs, so they
never land on the screen unfiltered.
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from rootfi_excel.errors import CredentialsError, JournalError, NetworkError, RootFiError, SubmitAborted, WorkbookError
from rootfi_excel.folders import log_dir, make_private_folder, private_files
from rootfi_excel.safe_text import printable, redact
from rootfi_excel.messages import key_refused, unreachable

LOG_NAME = "rootfi-excel.log"
LOGGER = "rootfi_excel"
MAX_LOG_BYTES = 1_000_000  # then the file is renamed .1 (and .1 to .2) and a new one begun
OLD_LOGS = 2
MAX_LINE = 700  # characters of one error line; server text can be long

# Errors whose message already says what is wrong and what to do.
READABLE = (WorkbookError, JournalError, CredentialsError, SubmitAborted)

_active: list[logging.Handler] = []


def log_file() -> Path:
    return log_dir() / LOG_NAME


def report(error: BaseException, *, doing: str, note: str = "") -> str:
    """Log `error` with its traceback; return the one line to show for it.

    `doing` names the action and the file, e.g. "submit Book1.xlsx": the line reads
    "Cannot submit Book1.xlsx: <what went wrong and what to do> (details: <log file>)".
    `note` is added when the error is unexpected (e.g. "Nothing is sent twice: ...").
    Never raises.
    """
    where = record(error, doing=doing)
    line = f"Cannot {doing}: {explain(error)}"
    if note and not is_expected(error):
        line += f" {note}"
    if _has_detail(error):
        line += f" (details: {where})" if where else " (no log could be written)"
    return one_line(line)


def is_expected(error: BaseException) -> bool:
    """An error whose own message says what is wrong and what to do (a workbook, journal,
    key or company problem), as opposed to a failure nobody planned for."""
    return isinstance(error, READABLE)


def explain(error: BaseException) -> str:
    """What went wrong and what to do, in words for an accountant."""
    if is_expected(error):
        return str(error)
    if isinstance(error, RootFiError):
        status = getattr(error, "status", None)
        address = _api_address(getattr(error, "path", None))
        if isinstance(error, NetworkError):
            return unreachable(address, error)
        if status in (401, 403):
            return key_refused(address)
        if status == 404:
            return f"{error}. Check the company id and base_url in Settings, then try again."
        return f"{error}. Try again in a while."
    if isinstance(error, OSError):
        return _explain_os_error(error)
    return (f"an unexpected problem ({type(error).__name__}: {error}). Run it again; if it happens again, send "
            "the log file to your RootFi contact.")


def one_line(text: str) -> str:
    text = " ".join(redact(text).split())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


def record(error: BaseException, *, doing: str) -> Path | None:
    """Write `error` and its traceback to the log (for an error already told to the person
    in other words); return the log file, or None when it could not be written. Never raises."""
    try:
        # The traceback is redacted here, before any handler sees it (a host's own log too).
        detail = redact("".join(traceback.format_exception(type(error), error, error.__traceback__)))
        logger = logging.getLogger(LOGGER)
        if _active:
            logger.error("Cannot %s\n%s", doing, detail)
        else:
            with logging_to_file():
                if not _active:
                    return None
                logger.error("Cannot %s\n%s", doing, detail)
        path = log_file()
        return path if path.exists() else None
    except Exception:  # the boundary itself must never fail
        return None


@contextmanager
def logging_to_file() -> Iterator[None]:
    """While the block runs, log records of rootfi_excel (INFO and up) go to the log file."""
    logger = logging.getLogger(LOGGER)
    handler = _open_handler()
    level = logger.level
    if handler is not None:
        logger.addHandler(handler)
        _active.append(handler)
    if level == logging.NOTSET or level > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(level)
        if handler is not None:
            logger.removeHandler(handler)
            _active.remove(handler)
            handler.close()


class SafeFormatter(logging.Formatter):
    """Every line written to the log: without the key, without terminal control sequences."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(redact(super().format(record)))


# ---------------------------------------------------------------------------- helpers

class _LogFile(logging.handlers.RotatingFileHandler):
    """The log file, made (with its folder) only when something is logged: a command that
    logs nothing, such as a dry run, leaves no trace on the disk."""

    def _open(self):  # type: ignore[override]
        # The log may quote a workbook's rows or a server's answer: the user's alone, as the journal.
        make_private_folder(Path(self.baseFilename).parent)
        with private_files():
            return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        pass  # a log that cannot be written must not print a traceback of its own


def _open_handler() -> logging.Handler | None:
    try:
        handler = _LogFile(log_dir() / LOG_NAME, maxBytes=MAX_LOG_BYTES, backupCount=OLD_LOGS,
                           encoding="utf-8", delay=True)
    except OSError:
        return None  # no log is better than a failure while reporting a failure
    handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


def _has_detail(error: BaseException) -> bool:
    """Worth pointing at the log: anything unexpected, or a readable error with a cause below it."""
    return not is_expected(error) or error.__cause__ is not None


def _api_address(url: str | None) -> str:
    """'http://127.0.0.1:8765/v4/core/companies/1003' -> 'http://127.0.0.1:8765/v4' (what Settings calls base_url)."""
    url = url or ""
    return url.split("/core/", 1)[0] if "/core/" in url else url or "RootFi"


def _explain_os_error(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    reason = error.strerror or str(error)
    if isinstance(error, PermissionError):
        advice = "check that you may write there (and that no other program holds the file), then try again."
    elif isinstance(error, (FileNotFoundError, NotADirectoryError)):
        advice = "check the path, then try again."
    elif error.errno == errno.ENOSPC:
        advice = "free some disk space, then try again."
    else:
        advice = "try again; if it happens again, send the log file to your RootFi contact."
    return f"{reason}{where}: {advice}"
