"""Work-order pages, mounted at /workorders/ by the root urls.py (namespace "workorders").

Each part of the app keeps its routes in its own module (urls_<part>.py: intake, board, field, register, kpi);
this module joins them. /workorders/public/… are the pages for the public (no login)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

app_name = "workorders"
urlpatterns: list = []
for _module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
    if _module.name.startswith("urls_"):
        urlpatterns += importlib.import_module(f"{__package__}.{_module.name}").urlpatterns
