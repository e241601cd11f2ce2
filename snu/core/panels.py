"""Page sections other apps contribute: `snu.<app>.<name>` modules, present only when the app is installed."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType


@cache
def _module(path: str) -> ModuleType | None:
    return import_module(path) if find_spec(path) is not None else None


def modules(apps: tuple[str, ...], name: str) -> Iterator[tuple[str, ModuleType]]:
    """(app, module) for each app in `apps` that has a module `snu.<app>.<name>`, in the order given."""
    for app in apps:
        module = _module(f"snu.{app}.{name}")
        if module is not None:
            yield app, module


def kept_rows(apps: tuple[str, ...], name: str, *args) -> tuple:
    """What each section's `kept_rows(*args)` says a kept page must also be keyed on (apps without one say
    nothing)."""
    return tuple((app, module.kept_rows(*args)) for app, module in modules(apps, name) if hasattr(module, "kept_rows"))
