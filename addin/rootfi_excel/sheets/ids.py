"""Random ids the add-in writes into a workbook: row keys and the workbook id.

Unguessable enough that two rows, or two workbooks, never get the same one by chance,
and short enough to sit in a cell: lower-case base32 (letters and the digits 2-7).
"""

from __future__ import annotations

import base64
import secrets


def new_key() -> str:
    """A row key: 80 random bits (16 characters)."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()


def new_workbook_id() -> str:
    """A workbook id: 120 random bits (24 characters)."""
    return base64.b32encode(secrets.token_bytes(15)).decode("ascii").lower()
