"""List endpoints: `field[op]=value` filters, limit, opaque next/prev cursors, counts.

Filters become SQL over the JSON documents. Cursors carry the position (a rootfi_id)
and a fingerprint of the filters, so a cursor replayed with other filters is refused
instead of silently paging a different list.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field

from rootfi_excel.sandbox.db import Database
from rootfi_excel.sandbox.errors import INVALID_PARAMS, bad_request
from rootfi_excel.sandbox.shapes import endless_next

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
OPS = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "nin", "is_null", "not_null", "contains", "not_contains")
# Query parameters that are not filters. expand and select are accepted and ignored.
CONTROL = {"limit", "next", "prev", "return_count", "include_deleted_records", "expand", "select"}
_FILTER = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\[([A-Za-z_]+)\]$")
_COMPARE = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@dataclass
class ListQuery:
    where: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)
    limit: int = DEFAULT_LIMIT
    after: int | None = None
    before: int | None = None
    return_count: bool = False
    fingerprint: str = ""


def parse_bool(value: str | None, name: str) -> bool:
    if value is None or value.lower() == "false":
        return False
    if value.lower() == "true":
        return True
    raise bad_request(INVALID_PARAMS, f"{name} must be true or false, got '{value}'.", name)


def parse(query_items: list[tuple[str, str]], types: dict[str, str], extra_ok: set[str] = frozenset()) -> ListQuery:
    """Read list parameters. `types` maps filterable fields to their type (see models.py)."""
    values = dict(query_items)
    q = ListQuery(return_count=parse_bool(values.get("return_count"), "return_count"))
    if not parse_bool(values.get("include_deleted_records"), "include_deleted_records") and types:
        q.where.append("deleted_at IS NULL")
    filters = []
    for key, value in query_items:
        if key in CONTROL or key in extra_ok:
            continue
        match = _FILTER.match(key)
        if not match:
            raise bad_request(INVALID_PARAMS, f"Unknown query parameter '{key}'.", key)
        name, op = match.groups()
        if name not in types:
            raise bad_request(INVALID_PARAMS, f"Unknown field '{name}' in filter '{key}'.", name)
        if op not in OPS:
            raise bad_request(INVALID_PARAMS, f"Unknown operator '{op}' in filter '{key}'; use one of "
                              f"{', '.join(OPS)}.", key)
        sql, params = _condition(name, op, value, types[name], key)
        q.where.append(sql)
        q.params.extend(params)
        filters.append((key, value))
    q.fingerprint = hashlib.sha1(
        json.dumps([sorted(filters), values.get("include_deleted_records")]).encode()
    ).hexdigest()[:12]
    q.limit = _limit(values.get("limit"))
    if values.get("next") and values.get("prev"):
        raise bad_request(INVALID_PARAMS, "Send either next or prev, not both.", "next")
    if values.get("next"):
        q.after = _decode(values["next"], "next", q.fingerprint)
    if values.get("prev"):
        q.before = _decode(values["prev"], "prev", q.fingerprint)
    return q


def page(db: Database, table: str, base_where: list[str], base_params: list, q: ListQuery,
         endless: bool = False) -> dict:
    """One page ordered by rootfi_id: {"rows", "next", "prev", "total_count"?}.
    endless: the last page (and every page after it) still has a new `next` cursor."""
    where = base_where + q.where
    params = base_params + q.params
    clause = " AND ".join(where) or "1"
    if q.before is not None:
        rows = db.query(f"SELECT * FROM {table} WHERE {clause} AND rootfi_id < ? ORDER BY rootfi_id DESC LIMIT ?",
                        [*params, q.before, q.limit])[::-1]
    else:
        after = q.after if q.after is not None else -1
        rows = db.query(f"SELECT * FROM {table} WHERE {clause} AND rootfi_id > ? ORDER BY rootfi_id LIMIT ?",
                        [*params, after, q.limit])

    def exists(op: str, rootfi_id: int) -> bool:
        sql = f"SELECT 1 FROM {table} WHERE {clause} AND rootfi_id {op} ? LIMIT 1"
        return bool(db.query(sql, [*params, rootfi_id]))

    answer: dict = {"rows": rows, "next": None, "prev": None}
    if rows:
        first, last = rows[0]["rootfi_id"], rows[-1]["rootfi_id"]
        if exists(">", last):
            answer["next"] = _encode({"after": last, "f": q.fingerprint})
        if exists("<", first):
            answer["prev"] = _encode({"before": first, "f": q.fingerprint})
    if endless and answer["next"] is None:
        position = rows[-1]["rootfi_id"] if rows else (q.after if q.after is not None else -1)
        answer["next"] = _encode(endless_next(position, q.fingerprint))
    if q.return_count:
        answer["total_count"] = db.query(f"SELECT COUNT(*) AS n FROM {table} WHERE {clause}", params)[0]["n"]
    return answer


def _condition(name: str, op: str, value: str, kind: str, key: str) -> tuple[str, list]:
    expr = "rootfi_id" if name == "rootfi_id" else f"json_extract(data, '$.{name}')"
    if op == "is_null":
        return f"{expr} IS NULL", []
    if op == "not_null":
        return f"{expr} IS NOT NULL", []
    if kind == "obj":
        raise bad_request(INVALID_PARAMS, f"'{name}' can only be filtered with is_null or not_null.", name)
    if kind == "list":
        if op not in ("contains", "not_contains"):
            raise bad_request(INVALID_PARAMS, f"'{name}' is a list: filter it with contains or not_contains.", key)
        exists = f"EXISTS (SELECT 1 FROM json_each(data, '$.{name}') WHERE value = ?)"
        return (exists if op == "contains" else f"NOT {exists}"), [value]
    if op in ("contains", "not_contains"):
        if kind != "str":
            raise bad_request(INVALID_PARAMS, f"'{op}' only applies to text fields, not '{name}'.", key)
        test = f"instr(lower({expr}), lower(?))"
        return (f"{test} > 0" if op == "contains" else f"({expr} IS NULL OR {test} = 0)"), [value]
    if op in ("in", "nin"):
        items = [_typed(v, kind, key) for v in value.split(",")]
        marks = ", ".join("?" * len(items))
        return (f"{expr} IN ({marks})" if op == "in" else f"({expr} IS NULL OR {expr} NOT IN ({marks}))"), items
    if op == "neq":
        return f"({expr} IS NULL OR {expr} != ?)", [_typed(value, kind, key)]
    return f"{expr} {_COMPARE[op]} ?", [_typed(value, kind, key)]


def _typed(value: str, kind: str, key: str) -> object:
    if kind == "num":
        try:
            return float(value)
        except ValueError:
            raise bad_request(INVALID_PARAMS, f"Filter '{key}' needs a number, got '{value}'.", key) from None
    if kind == "bool":
        if value.lower() not in ("true", "false"):
            raise bad_request(INVALID_PARAMS, f"Filter '{key}' needs true or false, got '{value}'.", key)
        return 1 if value.lower() == "true" else 0
    return value


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise bad_request(INVALID_PARAMS, f"limit must be a whole number from 1 to {MAX_LIMIT}, got '{value}'.",
                          "limit")
    return int(value)


def _encode(position: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


def _decode(cursor: str, name: str, fingerprint: str) -> int:
    try:
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = int(position["after" if name == "next" else "before"])
    except (ValueError, KeyError, TypeError):
        raise bad_request(INVALID_PARAMS, f"{name} is not a cursor this API gave out.", name) from None
    if position.get("f") != fingerprint:
        raise bad_request(INVALID_PARAMS, f"The {name} cursor belongs to a list with other filters; "
                          "send the same filters with it.", name)
    return value
