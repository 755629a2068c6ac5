"""Permission-matrix cases of the points pages and API: gathered from the `matrix_*.py` modules beside this one
(one per part of the app: board, pages, api…), each exposing `build(world) -> list[Case]`."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from servicecenter.core.testing import Case


def build(world) -> list[Case]:
    cases: list[Case] = []
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if module.name.startswith("matrix_") and module.name != "matrix_cases":
            cases += importlib.import_module(f"{__package__}.{module.name}").build(world)
    return cases
