"""When a typed name is a record's name, and when it only looks like one.

Strict (what resolves): the two texts are equal once each is

1. put in Unicode's canonical composed form (NFC: "é" typed as one character or as "e"
   plus a combining accent is the same text, as Unicode defines it; so are the Kelvin
   sign and K, the Ångström sign and Å),
2. trimmed, with every run of white space (spaces, tabs, non-breaking spaces) made one space,
3. compared without regard to case: equal in `str.lower()` *and* in `str.upper()`.

`str.casefold()` is not used: it makes "Straße" equal "STRASSE". `lower()` keeps ß as ß,
and comparing upper case as well keeps apart the few letters whose lower case another
letter shares (the capital sharp s ẞ lowers to ß, but ß upper-cases to SS): so "Straße"
never equals "Strasse" or "STRASSE", and "STRAẞE" is only a near match of "straße".

Loose (what is only offered, as "did you mean ...?"): compatibility forms folded (NFKC:
full-width ＡＣＭＥ is ACME), letters of other scripts that look like Latin ones made
those letters (Cyrillic А, С, Е ...: Unicode's confusables, from confusable-homoglyphs),
everything else transliterated (anyascii: ß is ss, é is e, ł is l), then lower case and
only letters and digits kept. Two names with the same loose key are near matches; a near
match never resolves.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

_WORDS = re.compile(r"[a-z0-9]+")


def collapse(value: Any) -> str:
    """NFC, trimmed, white space runs made one space (case kept): what is compared."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def name_key(value: Any) -> str:
    """The index key of a name: collapse() in lower case. Equal keys are candidates only:
    same_name() decides (it also compares upper case)."""
    return collapse(value).lower()


def same_name(typed: Any, stored: Any) -> bool:
    """Whether a typed value is exactly a stored name, case and white space aside."""
    a, b = collapse(typed), collapse(stored)
    return a.lower() == b.lower() and a.upper() == b.upper()


def near_key(value: Any) -> str:
    """The loose key (see the module's docstring); "" when nothing of it is a letter or digit."""
    text = unicodedata.normalize("NFKC", collapse(value))
    if not text.isascii():
        text = "".join(_latin(ch) for ch in text)
    return " ".join(_WORDS.findall(text.lower()))


@functools.lru_cache(maxsize=4096)
def _latin(ch: str) -> str:
    """One character as the Latin letter or digit it looks like, else transliterated."""
    if ch.isascii():
        return ch
    for glyph in _confusables().get(ch, ()):
        look_alike = glyph.get("c", "")
        if len(look_alike) == 1 and look_alike.isascii() and look_alike.isalnum():
            return look_alike
    from anyascii import anyascii  # its tables load on first use: most names are plain ASCII

    return anyascii(ch)


@functools.lru_cache(maxsize=1)
def _confusables() -> dict[str, list[dict[str, str]]]:
    # Loaded on first use only (about 0.1 s): most names are plain ASCII or match exactly.
    from confusable_homoglyphs.confusables import confusables_data  # see the comment above

    return confusables_data
