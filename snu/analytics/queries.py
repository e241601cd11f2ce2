"""Portfolio analytics as data: pure functions, filters in, plain dicts and lists out.

Every panel of the dashboard, its JSON twin, its CSV/XLSX download, `snu analytics` and the reports
call these. Money comes back as `Decimal` kroner, exact to the øre (summed as integer øre).

    aggregate(authority, strategy, by=["year", "focus_area"], filters=Filters()) -> list[dict]
    panel(name, authority, strategy, filters) -> dict   (name in PANELS)
    drilldown(authority, strategy, filters, page=1) -> dict
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import Max
from django.utils.translation import gettext as _

from snu.analytics import engine
from snu.analytics.filters import NONE, SOURCE_TYPES, Filters
from snu.grants.models import Allocation, AllocationStatus, FundingSource, Municipality, Scheme
from snu.lib.formatting import format_mnok, format_percent
from snu.lib.i18n import pick
from snu.lib.money import from_ore
from snu.strategy.models import Element, Strategy

ZERO = Decimal("0.00")
# Share of all money going to the ten largest recipients above which the dashboard warns.
CONCENTRATION_WARNING = Decimal("0.50")
# A priority with less than this fraction of its target share gets flagged as under-funded.
UNDERFUNDED_RATIO = Decimal("0.5")
# Above this many allocations a fresh DuckDB snapshot answers instead of the database.
DUCKDB_THRESHOLD = 50_000


# ---------------------------------------------------------------- core aggregate


def strategies(authority) -> list[Strategy]:
    return list(Strategy.objects.filter(authority=authority).order_by("-period_from", "code"))


def default_strategy(authority) -> Strategy | None:
    return Strategy.objects.filter(authority=authority).order_by("-period_from", "code").first()


_memo: dict[tuple, tuple[float, object]] = {}
MEMO_SECONDS = 2.0  # one page builds a dozen panels: read the small reference tables once


def _memoised(kind: str, authority, strategy, build):
    key = (kind, authority.pk, strategy.pk if strategy else None)
    hit = _memo.get(key)
    now = time.monotonic()
    if hit and now - hit[0] < MEMO_SECONDS:
        return hit[1]
    value = build()
    _memo[key] = (now, value)
    return value


def lookups(authority, strategy: Strategy | None) -> engine.Lookups:
    return _memoised("lookups", authority, strategy, lambda: _lookups(authority, strategy))  # type: ignore[return-value]


def labeller_for(authority, strategy: Strategy | None) -> Labeller:
    return _memoised("labeller", authority, strategy, lambda: Labeller(authority, strategy))  # type: ignore[return-value]


def _lookups(authority, strategy: Strategy | None) -> engine.Lookups:
    lk = engine.Lookups(authority_id=authority.pk, strategy_id=strategy.pk if strategy else None)
    if strategy is not None:
        for el in Element.objects.filter(strategy=strategy, kind__in=engine.ELEMENT_KINDS).only("id", "kind", "code"):
            lk.element_ids.setdefault(el.kind, {})[el.code] = el.pk
    lk.municipality_ids = dict(Municipality.objects.values_list("number", "id"))
    lk.funding_source_ids = dict(FundingSource.objects.filter(authority=authority).values_list("code", "id"))
    lk.scheme_ids = dict(Scheme.objects.filter(authority=authority).values_list("code", "id"))
    return lk


def choose_backend(authority=None) -> str:
    """`db` or `duckdb`: SNU_ANALYTICS_BACKEND decides when set. Otherwise the database answers small data,
    and the DuckDB snapshot large data. A stale snapshot starts a refresh in the background and answers
    meanwhile; pages then say how old its figures are (`snapshot_as_of`)."""
    wanted = os.environ.get("SNU_ANALYTICS_BACKEND") or getattr(settings, "SNU_ANALYTICS_BACKEND", "auto")
    if wanted in ("db", "duckdb"):
        return wanted
    from snu.analytics import snapshot

    meta = snapshot.info()
    if not meta or meta.get("allocations", 0) < DUCKDB_THRESHOLD:
        if _large() and not snapshot.is_fresh(meta):
            snapshot.refresh_in_background()
        return "db"
    if not snapshot.is_fresh(meta):
        snapshot.refresh_in_background()
    return "duckdb"


def _large() -> bool:
    """Cheaply: could there be DUCKDB_THRESHOLD allocations? (The highest id is an index lookup.)"""
    return (Allocation.objects.aggregate(top=Max("id"))["top"] or 0) >= DUCKDB_THRESHOLD


def snapshot_as_of(authority=None) -> dt.datetime | None:
    """When figures come from a snapshot older than the data: the time it was taken; else None."""
    if choose_backend(authority) != "duckdb":
        return None
    from snu.analytics import snapshot

    meta = snapshot.info()
    if meta is None or snapshot.is_fresh(meta):
        return None
    return snapshot.taken_at(meta)


class Labeller:
    """Turns ids from SQL into codes and names people read."""

    def __init__(self, authority, strategy: Strategy | None):
        self.elements = {
            e.pk: e for e in (Element.objects.filter(strategy=strategy) if strategy else Element.objects.none())
        }
        # Municipalities are shared reference data: a few hundred rows at most.
        self.municipalities = {m.pk: m for m in Municipality.objects.all()}
        self.sources = {s.pk: s for s in FundingSource.objects.filter(authority=authority)}
        self.schemes = {s.pk: s for s in Scheme.objects.filter(authority=authority)}

    def key_and_label(self, dim: str, value) -> tuple[str, str]:
        if value is None or value == "":
            return NONE, self.none_label(dim)
        if dim == "year":
            return int(value), str(value)  # type: ignore[return-value]
        if dim in ("focus_area", "driver", "advantage", "driver_b"):
            el = self.elements.get(value)
            return (el.code, pick(el.name)) if el else (str(value), str(value))
        if dim == "municipality":
            m = self.municipalities.get(value)
            return (m.number, m.name) if m else (str(value), str(value))
        if dim == "funding_source":
            s = self.sources.get(value)
            return (s.code, s.name) if s else (str(value), str(value))
        if dim == "scheme":
            sc = self.schemes.get(value)
            return (sc.code, sc.name) if sc else (str(value), str(value))
        if dim == "status":
            return value, str(AllocationStatus(value).label) if value in AllocationStatus.values else value
        if dim == "source_type":
            return value, str(SOURCE_TYPES.get(value, value))
        if dim == "industry":
            return value, _("NACE %(code)s") % {"code": value}
        return str(value), str(value)

    @staticmethod
    def none_label(dim: str) -> str:
        return {
            "focus_area": _("Outside the strategy"),
            "driver": _("No societal driver"),
            "driver_b": _("No societal driver"),
            "advantage": _("No regional advantage"),
            "municipality": _("Municipality unknown"),
            "recipient_type": _("Organisation form unknown"),
            "industry": _("Industry unknown"),
            "source_type": _("Source unknown"),
        }.get(dim, _("Unknown"))


def aggregate(
    authority,
    strategy: Strategy | None,
    by: Iterable[str],
    filters: Filters | None = None,
    *,
    backend: str | None = None,
    order_by_amount: bool = False,
    limit: int | None = None,
    offset: int = 0,
    labeller: Labeller | None = None,
) -> list[dict]:
    """Money and counts grouped by `by` (see engine.DIMENSIONS).

    Each row: for every dimension `dim` its code under `dim` and its name under `dim_label`; then
    `amount`, `amount_paid`, `amount_applied` (Decimal kroner) and `count` (allocations).
    Focus-area money is split by weight; drivers and advantages count an allocation in each.
    """
    by = tuple(by)
    unknown = [d for d in by if d not in engine.DIMENSIONS]
    if unknown:
        raise ValueError(f"unknown dimension(s): {', '.join(unknown)}")
    filters = filters or Filters()
    backend = backend or choose_backend(authority)
    query = engine.Query(by=by, filters=filters, order_by_amount=order_by_amount, limit=limit, offset=offset)
    raw = engine.run(query, lookups(authority, strategy), backend)
    labeller = labeller or labeller_for(authority, strategy)
    rows = []
    for record in raw:
        row: dict = {}
        for i, dim in enumerate(by):
            if dim == "id":
                row["id"] = record[i]
                continue
            key, label = labeller.key_and_label(dim, record[i])
            row[dim], row[f"{dim}_label"] = key, label
        amount, paid, applied, n = record[len(by) : len(by) + 4]
        row["amount"] = from_ore(int(amount or 0))
        row["amount_paid"] = from_ore(int(paid or 0))
        row["amount_applied"] = from_ore(int(applied or 0))
        row["count"] = int(n or 0)
        if "recipient" in by:
            row["recipient_label"] = record[len(by) + 4] or row["recipient"]
        rows.append(row)
    return rows


def totals(authority, strategy, filters: Filters | None = None, backend: str | None = None) -> dict:
    rows = aggregate(authority, strategy, [], filters, backend=backend)
    if not rows:
        return {"amount": ZERO, "amount_paid": ZERO, "amount_applied": ZERO, "count": 0}
    return {k: rows[0][k] for k in ("amount", "amount_paid", "amount_applied", "count")}


# ---------------------------------------------------------------- panels


def _share(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole).quantize(Decimal("0.0001")) if whole else None


def _column(key: str, label: str, kind: str = "text") -> dict:
    return {"key": key, "label": label, "type": kind}


def _panel(pid: str, title: str, summary: str, columns, rows, chart: dict | None, **extra) -> dict:
    return {"id": pid, "title": title, "summary": summary, "columns": columns, "rows": rows, "chart": chart, **extra}


def split_rule(kind: str) -> str:
    if kind == "focus_area":
        return _(
            "An allocation aligned to several focus areas is split between them by weight, so the focus areas "
            "add up to the total to the øre. Allocations with no focus area are shown as outside the strategy."
        )
    return _(
        "An allocation is counted in full in every driver or advantage it touches, so these figures overlap and "
        "do not add up to the total."
    )


def by_element_over_time(authority, strategy, kind: str, filters: Filters, backend=None) -> dict:
    """Money and allocations per element of `kind` per year, with each element's share of the year."""
    rows = aggregate(authority, strategy, ["year", kind], filters, backend=backend)
    year_total: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        year_total[r["year"]] += r["amount"]
    # For drivers/advantages the year total is the allocations' total, not the overlapping sum.
    if kind != "focus_area":
        for r in aggregate(authority, strategy, ["year"], filters, backend=backend):
            year_total[int(r["year"])] = r["amount"]
    out = []
    for r in rows:
        year = int(r["year"])
        out.append(
            {
                "year": year,
                kind: r[kind],
                f"{kind}_label": r[f"{kind}_label"],
                "amount": r["amount"],
                "count": r["count"],
                "share": _share(r["amount"], year_total[year]),
                "_drill": {"year": year, kind: r[kind]},
            }
        )
    total = sum((v for v in year_total.values()), ZERO)
    years = sorted(year_total)
    title = {
        "focus_area": _("Money per focus area per year"),
        "driver": _("Money per societal driver per year"),
        "advantage": _("Money per regional advantage per year"),
    }[kind]
    label = {"focus_area": _("Focus area"), "driver": _("Societal driver"), "advantage": _("Regional advantage")}[kind]
    top = _top_label(out, kind)
    summary = (
        _("%(total)s in %(first)s–%(last)s. Largest: %(top)s.")
        % {"total": format_mnok(total), "first": years[0], "last": years[-1], "top": top}
        if years
        else _("No allocations match the filters.")
    )
    columns = [
        _column("year", _("Year"), "int"),
        _column(f"{kind}_label", label),
        _column("amount", _("Amount"), "money"),
        _column("count", _("Allocations"), "int"),
        _column("share", _("Share of the year"), "share"),
    ]
    chart = {"type": "stacked_bar", "x": "year", "color": kind, "color_label": f"{kind}_label", "y": "amount"}
    return _panel(f"{kind}_year", title, summary, columns, out, chart, note=split_rule(kind), total=total)


def _top_label(rows: list[dict], kind: str) -> str:
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        if r[kind] != NONE:
            sums[r[f"{kind}_label"]] += r["amount"]
    if not sums:
        return "–"
    name = max(sums, key=lambda k: sums[k])
    return f"{name} ({format_mnok(sums[name])})"


def by_municipality(authority, strategy, filters: Filters, backend=None) -> dict:
    """Money per today's municipality: absolute, share of all, and per inhabitant where known."""
    labeller = labeller_for(authority, strategy)
    rows = aggregate(authority, strategy, ["municipality"], filters, backend=backend, labeller=labeller)
    total = sum((r["amount"] for r in rows), ZERO)
    by_number = {m.number: m for m in labeller.municipalities.values()}
    out = []
    for r in sorted(rows, key=lambda r: r["amount"], reverse=True):
        m = by_number.get(r["municipality"])
        population = m.population if m else None
        out.append(
            {
                "municipality": r["municipality"],
                "municipality_label": r["municipality_label"],
                "amount": r["amount"],
                "count": r["count"],
                "share": _share(r["amount"], total),
                "population": population,
                "per_inhabitant": (r["amount"] / population).quantize(Decimal("0.01")) if population else None,
                "_drill": {"municipality": r["municipality"]},
            }
        )
    top = out[0]["municipality_label"] if out else "–"
    summary = (
        _("%(n)s municipalities received %(total)s; most went to %(top)s (%(share)s).")
        % {
            "n": len([r for r in out if r["municipality"] != NONE]),
            "total": format_mnok(total),
            "top": top,
            "share": format_percent(out[0]["share"]) if out else "–",
        }
        if out
        else _("No allocations match the filters.")
    )
    columns = [
        _column("municipality", _("Number")),
        _column("municipality_label", _("Municipality")),
        _column("amount", _("Amount"), "money"),
        _column("count", _("Allocations"), "int"),
        _column("share", _("Share"), "share"),
        _column("population", _("Inhabitants"), "int"),
        _column("per_inhabitant", _("Kroner per inhabitant"), "money"),
    ]
    note = _(
        "Allocations are placed in today's municipalities (2024 numbering), also those decided before the "
        "2020 and 2024 reforms. Map data: © Kartverket, CC BY 4.0."
    )
    return _panel(
        "municipality", _("Money per municipality"), summary, columns, out, {"type": "map"}, note=note, total=total
    )


def by_funding_source(authority, strategy, filters: Filters, backend=None) -> dict:
    """State versus county money per year, and money per funding source and principal."""
    labeller = labeller_for(authority, strategy)
    per_type = aggregate(authority, strategy, ["year", "source_type"], filters, backend=backend, labeller=labeller)
    per_source = aggregate(authority, strategy, ["funding_source"], filters, backend=backend, labeller=labeller)
    total = sum((r["amount"] for r in per_source), ZERO)
    state = sum((r["amount"] for r in per_type if r["source_type"] == "state"), ZERO)
    sources_by_code = {s.code: s for s in labeller.sources.values()}
    rows = []
    for r in sorted(per_source, key=lambda r: r["amount"], reverse=True):
        source = sources_by_code.get(r["funding_source"])
        rows.append(
            {
                "funding_source": r["funding_source"],
                "funding_source_label": r["funding_source_label"],
                "principal": source.principal if source else "",
                "source_type": ("state" if source.is_state else "county") if source else NONE,
                "source_type_label": str(SOURCE_TYPES["state" if source.is_state else "county"]) if source else "",
                "amount": r["amount"],
                "count": r["count"],
                "share": _share(r["amount"], total),
                "_drill": {"funding_source": r["funding_source"]},
            }
        )
    years = sorted({r["year"] for r in per_type})
    period = f"{years[0]}–{years[-1]}" if years else ""
    summary = (
        _("%(total)s in total in %(period)s, of which %(state)s state money (%(share)s).")
        % {
            "total": format_mnok(total),
            "period": period,
            "state": format_mnok(state),
            "share": format_percent(_share(state, total)),
        }
        if total
        else _("No allocations match the filters.")
    )
    by_type = [
        {
            "year": r["year"],
            "source_type": r["source_type"],
            "source_type_label": r["source_type_label"],
            "amount": r["amount"],
            "count": r["count"],
            "_drill": {"year": r["year"], "source_type": r["source_type"] if r["source_type"] != NONE else ""},
        }
        for r in per_type
    ]
    columns = [
        _column("funding_source_label", _("Funding source")),
        _column("principal", _("Principal")),
        _column("source_type_label", _("Kind of money")),
        _column("amount", _("Amount"), "money"),
        _column("count", _("Allocations"), "int"),
        _column("share", _("Share"), "share"),
    ]
    chart = {
        "type": "stacked_bar",
        "x": "year",
        "color": "source_type",
        "color_label": "source_type_label",
        "y": "amount",
    }
    return _panel(
        "funding_source",
        _("Funding sources: state and county money"),
        summary,
        columns,
        rows,
        chart,
        chart_rows=by_type,
        total=total,
        state_total=state,
    )


def by_category(authority, strategy, dimension: str, filters: Filters, backend=None) -> dict:
    """Money per scheme, recipient type or industry, largest first."""
    rows = aggregate(authority, strategy, [dimension], filters, backend=backend, order_by_amount=True)
    total = sum((r["amount"] for r in rows), ZERO)
    out = [
        {
            dimension: r[dimension],
            f"{dimension}_label": r[f"{dimension}_label"],
            "amount": r["amount"],
            "count": r["count"],
            "share": _share(r["amount"], total),
            "_drill": {dimension: r[dimension]},
        }
        for r in rows
    ]
    titles = {
        "scheme": (_("Money per scheme"), _("Scheme")),
        "recipient_type": (_("Money per recipient type (organisation form)"), _("Organisation form")),
        "industry": (_("Money per industry (NACE division)"), _("Industry")),
    }
    title, label = titles[dimension]
    summary = (
        _("%(n)s groups; the largest is %(top)s with %(share)s of the money.")
        % {"n": len(out), "top": out[0][f"{dimension}_label"], "share": format_percent(out[0]["share"])}
        if out and total
        else _("No allocations match the filters.")
    )
    columns = [
        _column(f"{dimension}_label", label),
        _column("amount", _("Amount"), "money"),
        _column("count", _("Allocations"), "int"),
        _column("share", _("Share"), "share"),
    ]
    chart = {"type": "bar", "y": f"{dimension}_label", "x": "amount", "key": dimension}
    return _panel(dimension, title, summary, columns, out, chart, total=total)


def driver_synergy(authority, strategy, filters: Filters, backend=None) -> dict:
    """How often drivers occur together, and with each focus area (allocations counted in each)."""
    labeller = labeller_for(authority, strategy)
    pairs = aggregate(authority, strategy, ["driver", "driver_b"], filters, backend=backend, labeller=labeller)
    with_focus = aggregate(authority, strategy, ["driver", "focus_area"], filters, backend=backend, labeller=labeller)
    rows = []
    for r in pairs:
        if NONE in (r["driver"], r["driver_b"]):
            continue
        rows.append(
            {
                "row": r["driver"],
                "row_label": r["driver_label"],
                "column": r["driver_b"],
                "column_label": r["driver_b_label"],
                "count": r["count"],
                "amount": r["amount"],
                "_drill": {"all_drivers": f"{r['driver']},{r['driver_b']}"},
            }
        )
    focus_rows = [
        {
            "row": r["driver"],
            "row_label": r["driver_label"],
            "column": r["focus_area"],
            "column_label": r["focus_area_label"],
            "count": r["count"],
            "amount": r["amount"],
            "_drill": {"driver": r["driver"], "focus_area": r["focus_area"]},
        }
        for r in with_focus
        if r["driver"] != NONE
    ]
    strongest = max((r for r in rows if r["row"] < r["column"]), key=lambda r: r["count"], default=None)
    summary = (
        _("The drivers most often found together are %(a)s and %(b)s (%(n)s allocations).")
        % {"a": strongest["row_label"], "b": strongest["column_label"], "n": strongest["count"]}
        if strongest
        else _("No allocations touch two drivers.")
    )
    columns = [
        _column("row_label", _("Societal driver")),
        _column("column_label", _("Together with")),
        _column("count", _("Allocations"), "int"),
        _column("amount", _("Amount"), "money"),
    ]
    return _panel(
        "synergy",
        _("Driver synergy"),
        summary,
        columns,
        rows,
        {"type": "heatmap"},
        focus_rows=focus_rows,
        note=_(
            "A cell counts the allocations that touch both. The diagonal shows each driver's own number. "
            "Money is the allocations' full amount (driver × focus area: the focus area's split)."
        ),
    )


def planned_vs_actual(authority, strategy, filters: Filters, backend=None) -> dict:
    """Target shares from the strategy next to actual shares; priorities with little money; money outside."""
    rows = aggregate(authority, strategy, ["focus_area"], filters, backend=backend)
    total = sum((r["amount"] for r in rows), ZERO)
    targets = {e.code: e.target_share for e in (strategy.elements.filter(kind="focus_area") if strategy else [])}
    found = {r["focus_area"]: r for r in rows}
    out = []
    for el in strategy.elements_of("focus_area") if strategy else []:
        r = found.get(el.code)
        amount = r["amount"] if r else ZERO
        share = _share(amount, total)
        target = targets.get(el.code)
        flag = ""
        if target and (share is None or share < target * UNDERFUNDED_RATIO):
            flag = _("little or no money")
        out.append(
            {
                "focus_area": el.code,
                "focus_area_label": pick(el.name),
                "target_share": target,
                "share": share,
                "gap": (share - target) if (share is not None and target is not None) else None,
                "amount": amount,
                "count": r["count"] if r else 0,
                "flag": flag,
                "_drill": {"focus_area": el.code},
            }
        )
    outside = found.get(NONE)
    outside_amount = outside["amount"] if outside else ZERO
    out.append(
        {
            "focus_area": NONE,
            "focus_area_label": Labeller.none_label("focus_area"),
            "target_share": None,
            "share": _share(outside_amount, total),
            "gap": None,
            "amount": outside_amount,
            "count": outside["count"] if outside else 0,
            "flag": "",
            "_drill": {"focus_area": NONE},
        }
    )
    flagged = [r["focus_area_label"] for r in out if r["flag"]]
    summary = _("%(outside)s (%(share)s) of the money is outside the strategy.") % {
        "outside": format_mnok(outside_amount),
        "share": format_percent(_share(outside_amount, total)),
    }
    if flagged:
        summary += " " + _("Priorities with little or no money: %(names)s.") % {"names": ", ".join(flagged)}
    columns = [
        _column("focus_area_label", _("Focus area")),
        _column("target_share", _("Target share"), "share"),
        _column("share", _("Actual share"), "share"),
        _column("gap", _("Difference"), "share"),
        _column("amount", _("Amount"), "money"),
        _column("count", _("Allocations"), "int"),
        _column("flag", _("Note")),
    ]
    note = _("A focus area is flagged when its actual share is below half its target share. %(rule)s") % {
        "rule": split_rule("focus_area")
    }
    return _panel(
        "planned", _("Planned and actual"), summary, columns, out, {"type": "planned"}, note=note, total=total
    )


def concentration(authority, strategy, filters: Filters, backend=None) -> dict:
    """Share of all money going to the ten largest recipients and municipalities."""
    all_total = totals(authority, strategy, filters, backend=backend)["amount"]
    recipients = aggregate(authority, strategy, ["recipient"], filters, backend=backend, order_by_amount=True, limit=10)
    municipalities = aggregate(
        authority, strategy, ["municipality"], filters, backend=backend, order_by_amount=True, limit=10
    )
    rows = []
    for rank, r in enumerate(recipients, start=1):
        rows.append(
            {
                "group": "recipient",
                "group_label": _("Recipient"),
                "rank": rank,
                "key": r["recipient"],
                "label": r["recipient_label"],
                "amount": r["amount"],
                "count": r["count"],
                "share": _share(r["amount"], all_total),
                "_drill": {"recipient": r["recipient"]},
            }
        )
    for rank, r in enumerate(municipalities, start=1):
        rows.append(
            {
                "group": "municipality",
                "group_label": _("Municipality"),
                "rank": rank,
                "key": r["municipality"],
                "label": r["municipality_label"],
                "amount": r["amount"],
                "count": r["count"],
                "share": _share(r["amount"], all_total),
                "_drill": {"municipality": r["municipality"]},
            }
        )
    top_recipients = sum((r["amount"] for r in recipients), ZERO)
    top_municipalities = sum((r["amount"] for r in municipalities), ZERO)
    recipient_share = _share(top_recipients, all_total)
    warning = bool(recipient_share is not None and recipient_share >= CONCENTRATION_WARNING)
    summary = _("The 10 largest recipients received %(r)s of the money; the 10 largest municipalities %(m)s.") % {
        "r": format_percent(recipient_share),
        "m": format_percent(_share(top_municipalities, all_total)),
    }
    columns = [
        _column("group_label", _("Group")),
        _column("rank", _("Rank"), "int"),
        _column("label", _("Name")),
        _column("amount", _("Amount"), "money"),
        _column("count", _("Allocations"), "int"),
        _column("share", _("Share of all money"), "share"),
    ]
    return _panel(
        "concentration",
        _("Concentration"),
        summary,
        columns,
        rows,
        {"type": "bar", "y": "label", "x": "amount", "key": "key", "facet": "group"},
        total=all_total,
        top10_recipient_share=recipient_share,
        top10_municipality_share=_share(top_municipalities, all_total),
        warning=warning,
        warning_level=CONCENTRATION_WARNING,
    )


def demand_funnel(authority, strategy, filters: Filters, backend=None) -> dict:
    """Applied vs granted vs rejected per focus area and per municipality (all statuses)."""
    all_status = filters.with_(status=())
    rows = []
    has_demand = False
    for dim in ("focus_area", "municipality"):
        grouped: dict[str, dict] = {}
        for r in aggregate(authority, strategy, [dim, "status"], all_status, backend=backend):
            g = grouped.setdefault(
                r[dim],
                {
                    "group": dim,
                    "key": r[dim],
                    "label": r[f"{dim}_label"],
                    "applications": 0,
                    "applied": ZERO,
                    "granted": ZERO,
                    "granted_count": 0,
                    "rejected": ZERO,
                    "rejected_count": 0,
                    "_drill": {dim: r[dim], "status": "all"},
                },
            )
            g["applications"] += r["count"]
            g["applied"] += r["amount_applied"]
            if r["status"] in (AllocationStatus.GRANTED, AllocationStatus.PAID):
                g["granted"] += r["amount"]
                g["granted_count"] += r["count"]
            elif r["status"] == AllocationStatus.REJECTED:
                g["rejected"] += r["amount_applied"]
                g["rejected_count"] += r["count"]
                has_demand = True
            elif r["status"] == AllocationStatus.APPLIED:
                has_demand = True
        for g in grouped.values():
            g["group_label"] = _("Focus area") if dim == "focus_area" else _("Municipality")
            g["grant_rate"] = _share(Decimal(g["granted_count"]), Decimal(g["applications"]))
        rows.extend(sorted(grouped.values(), key=lambda g: g["applied"], reverse=True))
    columns = [
        _column("group_label", _("Group")),
        _column("label", _("Name")),
        _column("applications", _("Applications"), "int"),
        _column("applied", _("Applied for"), "money"),
        _column("granted", _("Granted"), "money"),
        _column("rejected", _("Rejected"), "money"),
        _column("rejected_count", _("Rejections"), "int"),
        _column("grant_rate", _("Share granted"), "share"),
    ]
    summary = (
        _("%(n)s rejected applications in the data.") % {"n": sum(r["rejected_count"] for r in rows) // 2}
        if has_demand
        else _("The data holds no applications or rejections, only grants.")
    )
    return _panel(
        "demand",
        _("Demand: applied, granted and rejected"),
        summary,
        columns,
        rows if has_demand else [],
        {"type": "funnel"},
        note=_(
            "Counts every status, whatever the status filter. Where the amount applied for is unknown, the "
            "granted amount stands in."
        ),
        available=has_demand,
    )


PANELS = {
    "focus_area_year": lambda a, s, f, b=None: by_element_over_time(a, s, "focus_area", f, b),
    "driver_year": lambda a, s, f, b=None: by_element_over_time(a, s, "driver", f, b),
    "advantage_year": lambda a, s, f, b=None: by_element_over_time(a, s, "advantage", f, b),
    "municipality": by_municipality,
    "funding_source": by_funding_source,
    "scheme": lambda a, s, f, b=None: by_category(a, s, "scheme", f, b),
    "recipient_type": lambda a, s, f, b=None: by_category(a, s, "recipient_type", f, b),
    "industry": lambda a, s, f, b=None: by_category(a, s, "industry", f, b),
    "synergy": driver_synergy,
    "planned": planned_vs_actual,
    "concentration": concentration,
    "demand": demand_funnel,
}


def panel(name: str, authority, strategy, filters: Filters | None = None, backend: str | None = None) -> dict:
    """One dashboard panel as data: id, title, summary, columns, rows (each with `_drill`), chart hints."""
    if name not in PANELS:
        raise KeyError(name)
    data = PANELS[name](authority, strategy, filters or Filters(), backend)
    data["filters"] = (filters or Filters()).as_dict()
    data["strategy"] = strategy.code if strategy else None
    return data


# ---------------------------------------------------------------- drill-down


def drilldown(authority, strategy, filters: Filters, page: int = 1, per_page: int = 50, backend=None) -> dict:
    """The allocations behind a figure, with the money each contributes (a focus area's split share when
    the figure is a focus area's), largest first. `total` equals the figure on the dashboard."""
    overall = totals(authority, strategy, filters, backend=backend)
    start = (max(page, 1) - 1) * per_page
    # Only the page's window is fetched: at a million allocations the whole ranked list would be megabytes.
    window = aggregate(
        authority, strategy, ["id"], filters, backend=backend, order_by_amount=True, limit=per_page, offset=start
    )
    objects = Allocation.objects.filter(authority=authority, pk__in=[r["id"] for r in window]).select_related(
        "current_municipality", "scheme", "funding_source"
    )
    by_id = {a.pk: a for a in objects}
    items = [{"allocation": by_id[r["id"]], "amount": r["amount"]} for r in window if r["id"] in by_id]
    return {
        "items": items,
        "total": overall["amount"],
        "count": overall["count"],
        "page": max(page, 1),
        "pages": max(1, -(-overall["count"] // per_page)),
    }


# ---------------------------------------------------------------- small panels for other pages


def element_over_time(authority, element: Element, backend=None) -> list[dict]:
    """Money per year for one focus area, driver or advantage (split rule as on the dashboard)."""
    if element.kind not in engine.ELEMENT_KINDS:
        return []
    filters = Filters().with_(**{element.kind: (element.code,)})
    return [
        {"year": int(r["year"]), "amount": r["amount"], "count": r["count"]}
        for r in aggregate(authority, element.strategy, ["year"], filters, backend=backend)
    ]


def focus_areas_in_year(authority, strategy, year: int, backend=None) -> list[dict]:
    filters = Filters(year_from=year, year_to=year)
    return aggregate(authority, strategy, ["focus_area"], filters, backend=backend)
