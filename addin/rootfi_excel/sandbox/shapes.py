"""Answer shapes the docs leave open, chosen on purpose (SandboxConfig / `rootfi-excel sandbox`).

The default is the shape the rest of docs/sandbox.md describes. The others are what a
real API might plausibly do, so that a client can be tested against each:

- running_status: the status of a sync or job that is not finished (v3 also knows
  SLEEPING, and a new API version may add others);
- list_shape "nested": every list as {"data": {"data": [...], "next", "prev"}};
- endless_cursor: lists never end: each page, even an empty one, has a new `next`;
- odd_ids: sync and job ids hold a slash, `..`, `?`, `#`, `%`, a space and a control
  character, as an id from a careless platform might.
- odd_text: the platform ids of written records (in every answer that shows one: a
  write's answer, a job's result, a list of payments or credit notes) and the messages
  of refusals end in characters XML 1.0 forbids: U+FFFE, U+FFFF, an unpaired surrogate
  (JSON's "\ud800") and a control character. The record itself is stored without them.
- job_shape: how a bulk write's job says which record it is about. "indexed" (the
  default): `variables` = {record_index, document_number}. "by-number": no variables;
  `data` carries the record's `document_number` (beside the created ids on success), as
  a stand-in of the API measured does. "payload": no variables; the job echoes the
  posted record as `payload`.
"""

from __future__ import annotations

import itertools
import json
import secrets
import string
from dataclasses import dataclass
from typing import Any

_ALPHABET = string.ascii_letters + string.digits
LIST_SHAPES = ("plain", "nested")
JOB_SHAPES = ("indexed", "by-number", "payload")
_ODD_PART = "/../x?y=1#z%2F \x07"
ODD_TEXT = "\ufffe\uffff\ud800\x01"  # what odd_text appends (JSON can only carry the surrogate escaped)


@dataclass(frozen=True)
class Shapes:
    running_status: str = "RUNNING"
    list_shape: str = "plain"
    endless_cursor: bool = False
    odd_ids: bool = False
    odd_text: bool = False
    job_shape: str = "indexed"

    def __post_init__(self) -> None:
        if self.list_shape not in LIST_SHAPES:
            raise ValueError(f"list_shape must be one of {', '.join(LIST_SHAPES)}")
        if self.job_shape not in JOB_SHAPES:
            raise ValueError(f"job_shape must be one of {', '.join(JOB_SHAPES)}")
        if not self.running_status.strip():
            raise ValueError("running_status must not be empty")

    def status(self, status: str) -> str:
        """A sync's or job's status as answered: when running_status is set to another
        word, every status that means "not finished" (RUNNING, CREATED) becomes it."""
        if self.running_status != "RUNNING" and status in ("RUNNING", "CREATED"):
            return self.running_status
        return status

    def new_id(self) -> str:
        """Sync and job ids look like the API's: 15 letters and digits (odd_ids: with more)."""
        plain = "".join(secrets.choice(_ALPHABET) for _ in range(15))
        return f"{plain[:5]}{_ODD_PART}{plain[5:]}" if self.odd_ids else plain

    def answer_text(self, content: Any, *, ids: bool) -> bytes | None:
        """The JSON of an answer with odd text (odd_text: ids of written records when `ids`,
        refusals' messages always), or None to answer as usual."""
        if not self.odd_text:
            return None
        return json.dumps(_odd(content, ids), ensure_ascii=True, separators=(",", ":")).encode("ascii")

    def job_identity(self, variables: dict, payload: Any, result: dict | None) -> dict:
        """The parts of a job's answer that say which record it is about (job_shape)."""
        if self.job_shape == "indexed":
            return {"variables": variables, "data": result}
        if self.job_shape == "by-number":
            return {"variables": {}, "data": {**(result or {}), "document_number": variables.get("document_number")}}
        return {"variables": {}, "data": result, "payload": payload}

    def list_body(self, data: list, result: dict) -> dict:
        page = {"data": data, "next": result["next"], "prev": result["prev"]}
        if "total_count" in result:
            page["total_count"] = result["total_count"]
        return {"data": page} if self.list_shape == "nested" else page


def _odd(value: Any, ids: bool) -> Any:
    if isinstance(value, dict):
        return {key: (item + ODD_TEXT if isinstance(item, str) and (key == "message" or ids and key == "platform_id")
                      else _odd(item, ids)) for key, item in value.items()}
    if isinstance(value, list):
        return [_odd(item, ids) for item in value]
    return value


_nonces = itertools.count(1)


def endless_next(position: int, fingerprint: str) -> dict:
    """A cursor that has never been given out before, for the same place in the list."""
    return {"after": position, "f": fingerprint, "n": next(_nonces)}
