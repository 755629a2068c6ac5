"""Decisions and the `@implements` register of requirement IDs (STYLE.md §2.6).

`CLAUSE_IMPLEMENTATIONS` maps a REQUIREMENTS.md ID to the dotted names of the functions that implement it.
`servicecenter.policy.register` lists the IDs the project claims; a test keeps the two in sync.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
CLAUSE_IMPLEMENTATIONS: dict[str, list[str]] = {}


@dataclass(frozen=True)
class Decision:
    """The answer of a "may I?" policy: allowed or not, the clause that decided, and why (for people)."""

    allowed: bool
    clause: str
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def implements(*clauses: str) -> Callable[[F], F]:
    """Register `func` as the implementation of the given requirement IDs (e.g. "WO-03")."""

    def decorate(func: F) -> F:
        name = f"{func.__module__}.{func.__qualname__}"
        for code in clauses:
            names = CLAUSE_IMPLEMENTATIONS.setdefault(code, [])
            if name not in names:
                names.append(name)
        func.__clauses__ = clauses  # type: ignore[attr-defined]
        return func

    return decorate
