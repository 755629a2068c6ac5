"""Complaints pages, mounted at /complaints/ by the root urls.py (namespace "complaints").

Each part keeps its routes in its own module (urls_<part>.py); this module joins them."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

app_name = "complaints"
urlpatterns: list = []
for _module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
    if _module.name.startswith("urls_"):
        urlpatterns += importlib.import_module(f"{__package__}.{_module.name}").urlpatterns
