"""The dashboard's filter state: parsed from a query string or the command line, written back to URLs.

Every panel, JSON twin, download, drill-down list and `snu analytics` run takes the same `Filters`,
so a figure seen on the page is the figure in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from snu.grants.models import AllocationStatus

# Statuses that count as prioritised effort unless the user asks for others.
EFFORT_STATUSES = (AllocationStatus.GRANTED.value, AllocationStatus.PAID.value)
# The bucket for allocations with no assigned element of a kind (outside the strategy).
NONE = "none"
LIST_FIELDS = (
    "focus_area",
    "driver",
    "advantage",
    "municipality",
    "funding_source",
    "scheme",
    "status",
    "recipient_type",
    "industry",
    "all_drivers",
)
SOURCE_TYPES = {"state": _("State money"), "county": _("County money")}


@dataclass(frozen=True)
class Filters:
    """What to count. Lists hold codes (element code, municipality number, funding source code …)."""

    year_from: int | None = None
    year_to: int | None = None
    focus_area: tuple[str, ...] = ()
    driver: tuple[str, ...] = ()
    advantage: tuple[str, ...] = ()
    municipality: tuple[str, ...] = ()
    funding_source: tuple[str, ...] = ()
    source_type: str = ""
    scheme: tuple[str, ...] = ()
    status: tuple[str, ...] = field(default=EFFORT_STATUSES)
    recipient_type: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    recipient: str = ""
    all_drivers: tuple[str, ...] = ()  # every one of these drivers (a synergy cell); `driver` is any of

    @classmethod
    def from_query(cls, query) -> Filters:
        """Read a QueryDict (or a dict of lists/strings). Unknown keys are ignored; bad years are dropped."""

        def getlist(key: str) -> list[str]:
            if hasattr(query, "getlist"):
                values = query.getlist(key)
            else:
                raw = query.get(key, [])
                values = raw if isinstance(raw, list | tuple) else [raw]
            out: list[str] = []
            for v in values:
                out.extend(part.strip() for part in str(v).split(",") if part.strip())
            return out

        def year(key: str) -> int | None:
            values = getlist(key)
            try:
                return int(values[0]) if values else None
            except ValueError:
                return None

        kwargs: dict = {"year_from": year("year_from"), "year_to": year("year_to")}
        if "year" in query:  # a drill-down from one year's bar
            y = year("year")
            kwargs["year_from"] = kwargs["year_to"] = y
        for name in LIST_FIELDS:
            values = tuple(dict.fromkeys(getlist(name)))
            if name == "status":
                values = tuple(v for v in values if v in AllocationStatus.values or v == "all")
                if not values:
                    values = EFFORT_STATUSES
                if "all" in values:
                    values = ()
            kwargs[name] = values
        source_type = (getlist("source_type") or [""])[0]
        kwargs["source_type"] = source_type if source_type in SOURCE_TYPES else ""
        kwargs["recipient"] = (getlist("recipient") or [""])[0]
        return cls(**kwargs)

    def with_(self, **changes) -> Filters:
        return replace(self, **changes)

    def narrowed(self, **cell: object) -> Filters:
        """These filters narrowed to one chart cell, e.g. narrowed(year=2020, focus_area="OPP")."""
        changes: dict = {}
        for key, value in cell.items():
            if value is None or value == "":
                continue
            if key == "year":
                changes["year_from"] = changes["year_to"] = int(value)  # type: ignore[call-overload]
            elif key in ("source_type", "recipient"):
                changes[key] = str(value)
            elif key == "status" and value == "all":
                changes[key] = ()
            elif key in LIST_FIELDS:
                changes[key] = tuple(v for v in str(value).split(",") if v)
        return replace(self, **changes)

    def to_params(self) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "status":
                if value == EFFORT_STATUSES:
                    continue
                if not value:
                    params.append(("status", "all"))
                    continue
            if isinstance(value, tuple):
                params.extend((f.name, v) for v in value)
            elif value not in (None, ""):
                params.append((f.name, str(value)))
        return params

    def to_query(self, **extra: str) -> str:
        params = self.to_params() + [(k, v) for k, v in extra.items() if v]
        return urlencode(params)

    def as_dict(self) -> dict:
        """The filter state as plain data, for JSON twins and report metadata."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @property
    def is_default(self) -> bool:
        return self == Filters()
