"""Home-page panels. An app adds a panel by giving `snu.<app>.home.panels(request)`:
a list of {"template": name, "context": {...}, "order": int}. Apps without one are skipped."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.http import HttpRequest


def collect_panels(request: HttpRequest) -> list[dict]:
    panels: list[dict] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("snu.") or config.name == "snu.core":
            continue
        module_name = f"{config.name}.home"
        if find_spec(module_name) is None:
            continue
        panels.extend(import_module(module_name).panels(request))
    return sorted(panels, key=lambda p: p.get("order", 100))
