"""The permission matrix (STYLE.md §2.12): every view and API endpoint, run as anonymous, as the same role in
another center, and as the allowed user.

Each app declares its cases in `tests/<app>/matrix_cases.py` as `build(world) -> list[Case]`, creating the
objects of center A it needs. `tests/test_permission_matrix.py` runs them all and fails when a URL of the
project has no case (or no documented exemption), so every later view extends the matrix by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Case:
    """One URL to check.

    - `url_name` / `kwargs`: what to reverse.
    - `actor`: the world attribute of the user who must succeed (a staff member of center A or the ops center).
    - `method`, `data` (or `data_factory(world)` for fresh data), `api` (JSON body, DRF auth semantics).
    - `marker`: for list pages/endpoints: a text of center A's objects that the other center's user must not see
      (then the cross-center request must answer 200 without it). Without a marker, the cross-center request must
      answer 404 (object pages and actions: deny looks like not found).
    - `ok`: status codes that count as success for `actor`.
    - `public`: reachable without login (login page, health check, public boards): anonymous is not redirected.
    - `cross`: the world attribute of the other center's user (default: `actor` with `_a` → `_b`).
    - `check`: optional callable(world, response) asserting the allowed response's content or effect.
    """

    url_name: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    actor: str = "manager_a"
    method: str = "get"
    data: dict[str, Any] | None = None
    data_factory: Callable[[Any], dict[str, Any]] | None = None
    api: bool = False
    marker: str | None = None
    ok: tuple[int, ...] = (200,)
    public: bool = False
    cross: str | None = None
    check: Callable[[Any, Any], None] | None = None
    query: str = ""

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.url_name}{self.query}"

    def cross_actor(self) -> str:
        if self.cross:
            return self.cross
        return self.actor[:-2] + "_b" if self.actor.endswith("_a") else "manager_b"

    def payload(self, world: Any) -> dict[str, Any] | None:
        return self.data_factory(world) if self.data_factory else self.data
