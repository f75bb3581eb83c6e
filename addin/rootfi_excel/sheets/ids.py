"""Random ids the add-in writes into a workbook: row keys and the workbook id.

Unguessable enough that two rows, or two workbooks, never get the same one by chance,
short enough to sit in a cell, and never read as a number by Excel: 80 random bits as
20 hex digits (a row key), 120 bits as 24 base32 letters and digits (the workbook id).
The adapters still write both as text.
"""

from __future__ import annotations

import base64
import secrets


def new_key() -> str:
    """A row key: 80 random bits (20 hex digits)."""
    return secrets.token_hex(10)


def new_keys(count: int) -> list[str]:
    """`count` row keys from one draw of random bytes: a first Validate of 50,000 rows keys
    them in a few milliseconds."""
    text = secrets.token_bytes(10 * count).hex()
    return [text[start:start + 20] for start in range(0, 20 * count, 20)]


def new_workbook_id() -> str:
    """A workbook id: 120 random bits (24 characters)."""
    return base64.b32encode(secrets.token_bytes(15)).decode("ascii").lower()
