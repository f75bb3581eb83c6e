"""Which fault (if any) hits a request: kinds, where they may hit, and the seeded dice.

A fault is `kind` or `kind@scope` with a probability, e.g. {"drop@writes": 1.0,
"503@lookups": 0.5}. Each /v4 request rolls the dice once (so a seed replays the same
faults); the kinds that may hit that request are walked in a fixed order. Scopes:

    all      every request (the default)
    writes   POST (creating records, sync or bulk)
    reads    every GET
    lookups  GET lists of the written models (invoice_payments, invoice_credit_notes)
    lists    every GET that answers a list (lookups, other lists, syncs, jobs)
    syncs    GET of syncs and jobs (one, or a list)

Some kinds only make sense on some requests (`no-list` on lists, `no-id` on writes);
drawn for another request, they are no fault.
"""

from __future__ import annotations

import random
import re
import threading

FAULT_KINDS = ("429", "500", "502", "503", "400", "slow", "drop", "no-list", "no-id")
SCOPES = ("all", "writes", "reads", "lookups", "lists", "syncs")
_ONLY_ON = {"no-list": "lists", "no-id": "writes"}
_SCOPES_FOR = {"no-list": ("all", "reads", "lookups", "lists", "syncs"), "no-id": ("all", "writes")}

_LOOKUP = re.compile(r"^/v4/core/companies/[^/]+/(invoice_payments|invoice_credit_notes)$")
_COMPANY_LIST = re.compile(r"^/v4/core/companies/[^/]+/(shared/)?[^/]+$")
_COMPANY_SYNCS = re.compile(r"^/v4/core/companies/[^/]+/syncs$")
_SYNC = re.compile(r"^/v4/core/syncs/")

# One request of each class, to check that probabilities add up to at most 1 for each.
_SAMPLES = [("POST", "/v4/core/companies/1/invoice_payments"), ("GET", "/v4/core/companies/1/invoice_payments"),
            ("GET", "/v4/core/companies/1/shared/contacts"), ("GET", "/v4/core/companies/1/syncs"),
            ("GET", "/v4/core/syncs/s/jobs"), ("GET", "/v4/core/syncs/s"), ("GET", "/v4/core/companies/1")]


def kind_of(method: str, path: str) -> str:
    """What a request is, for counting (RunningSandbox.requests_by_kind, benchmarks)."""
    if method != "GET":
        return "write"
    if _LOOKUP.match(path):
        return "lookup"
    if _COMPANY_SYNCS.match(path):
        return "company-syncs"
    if _SYNC.match(path):
        return "jobs" if path.endswith("/jobs") and not path.startswith("/v4/core/syncs/jobs/") else "sync"
    return "other-list" if _COMPANY_LIST.match(path) else "other"


def scopes_of(method: str, path: str) -> set[str]:
    """The scopes a request belongs to."""
    if method != "GET":
        return {"all", "writes"}
    scopes = {"all", "reads"}
    if _LOOKUP.match(path):
        scopes |= {"lookups", "lists"}
    elif _COMPANY_SYNCS.match(path):
        scopes |= {"syncs", "lists"}
    elif _COMPANY_LIST.match(path):
        scopes.add("lists")
    elif _SYNC.match(path):
        scopes.add("syncs")
        if path.endswith("/jobs") and not path.startswith("/v4/core/syncs/jobs/"):
            scopes.add("lists")
    return scopes


def parse_fault(name: str) -> tuple[str, str]:
    """"drop@writes" -> ("drop", "writes"); "503" -> ("503", "all")."""
    kind, _, scope = name.partition("@")
    scope = scope or _ONLY_ON.get(kind, "all")
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind '{kind}'; use {', '.join(FAULT_KINDS)}")
    if scope not in SCOPES:
        raise ValueError(f"unknown fault scope '{scope}' in '{name}'; use {', '.join(SCOPES)}")
    if scope not in _SCOPES_FOR.get(kind, SCOPES):
        raise ValueError(f"'{kind}' can never hit '{scope}' requests; use {', '.join(_SCOPES_FOR[kind])}")
    return kind, scope


class FaultPlan:
    """Chooses a fault (or none) per request from a seeded RNG."""

    def __init__(self, faults: dict[str, float], seed: int | None, burst_429_length: int):
        entries = []
        for name, probability in faults.items():
            kind, scope = parse_fault(name)
            if not 0 <= probability <= 1:
                raise ValueError("fault probabilities must be between 0 and 1")
            entries.append((FAULT_KINDS.index(kind), SCOPES.index(scope), kind, scope, probability))
        self.entries = [(kind, scope, p) for *_, kind, scope, p in sorted(entries)]  # a fixed order: seeds replay
        for method, path in _SAMPLES:
            if sum(p for kind, p in self._applicable(scopes_of(method, path))) > 1 + 1e-9:
                raise ValueError(f"fault probabilities for one request ({method} {path}) add up to more than 1")
        self.faults = faults
        self.rng = random.Random(seed)
        self.burst_length = max(1, burst_429_length)
        self._burst_left = 0
        self._lock = threading.Lock()

    def _applicable(self, scopes: set[str]) -> list[tuple[str, float]]:
        return [(kind, p) for kind, scope, p in self.entries if scope in scopes]

    def roll(self, method: str = "GET", path: str = "/v4") -> str | None:
        scopes = scopes_of(method, path)
        with self._lock:
            if self._burst_left:
                self._burst_left -= 1
                return "429"
            if not self.entries:
                return None
            draw, edge = self.rng.random(), 0.0
            for kind, probability in self._applicable(scopes):
                edge += probability
                if draw < edge:
                    if kind in _ONLY_ON and _ONLY_ON[kind] not in scopes:
                        return None
                    if kind == "429":
                        self._burst_left = self.burst_length - 1
                    return kind
            return None
