"""Make text from outside (server answers, cell text, file names) safe to print or log.

- `printable` strips terminal control sequences: a server message or a cell holding
  ESC sequences could otherwise recolour, retitle or rewrite the person's terminal.
- `redact` removes the API key (and anything written as `api_key=...`) from text.
- `xml_safe` makes text fit for a cell: both workbook adapters pass every text they
  write through it, and the journal every answer it keeps.
"""

from __future__ import annotations

import os
import re

# ESC sequences as terminals read them: CSI (ESC [ ... final), string commands (OSC, DCS,
# SOS, PM, APC) up to their terminator or the end of the line, and two-byte escapes;
# then the 8-bit forms of CSI and the string commands.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
)
# Every other C0 and C1 control except newline and tab (carriage return included: it
# would let a text overwrite the line before it).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_KEY_ASSIGNMENT = re.compile(r"(?i)(api[_-]?key[\"']?\s*[:=]\s*[\"']?)[^\s\"',;}&]+")
_secrets: set[str] = set()


def printable(text: object) -> str:
    """`text` without terminal control sequences or control characters (newline and tab
    kept), nor unpaired surrogates (no terminal can be sent one)."""
    return without_surrogates(_CONTROLS.sub("", _ESCAPES.sub("", str(text))))


# What XML 1.0 cannot hold (so neither can a cell of an .xlsx file, nor Excel): the C0
# controls but tab, newline and carriage return, U+FFFE and U+FFFF, and surrogates (which
# in a Python str are unpaired: JSON's "\ud800" is one; a pair was joined before this).
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def xml_safe(text: str) -> str:
    """`text` without the characters a cell cannot hold: they are removed (an id keeps the
    characters it can), never replaced. A surrogate pair left in a str is joined first."""
    if not _NOT_IN_XML.search(text):
        return text
    return _NOT_IN_XML.sub("", without_surrogates(text))


def without_surrogates(text: str) -> str:
    """`text` as UTF-8 can encode it (a file, SQLite, a terminal): a surrogate pair left in a
    str joined, an unpaired surrogate removed. Every other character is kept."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub("", text.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass"))


def hide(secret: str | None) -> None:
    """Remember a secret (an API key) so that `redact` removes it from now on."""
    if secret and len(secret) >= 4:
        _secrets.add(secret)


def redact(text: object) -> str:
    """`text` without any remembered secret, the ROOTFI_API_KEY value or `api_key=<value>`."""
    text = str(text)
    known = set(_secrets)
    hide_env = os.environ.get("ROOTFI_API_KEY")
    if hide_env and len(hide_env) >= 4:
        known.add(hide_env)
    for secret in sorted(known, key=len, reverse=True):
        text = text.replace(secret, "***")
    return _KEY_ASSIGNMENT.sub(r"\1***", text)
