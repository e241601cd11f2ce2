"""Reads for partner pages, coverage, the network and the home page. Money is summed exactly, in Decimal."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from decimal import Decimal
from itertools import combinations
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from snu.core.models import Authority
from snu.grants.models import Allocation, AllocationStatus
from snu.partners import network
from snu.partners.models import Agreement, AgreementStatus, Arena, Partner
from snu.strategy.models import Element, ElementKind, Strategy

# Statuses whose amount counts as money received.
COUNTED_STATUSES = (AllocationStatus.GRANTED, AllocationStatus.PAID)
# A partner holding more than this share of all money granted to partners is a concentration warning.
CONCENTRATION_SHARE = Decimal("0.25")
ZERO = Decimal("0.00")


def partners_for(authority: Authority | None) -> QuerySet[Partner]:
    if authority is None:
        return Partner.objects.none()
    return Partner.objects.filter(authority=authority)


def arenas_for(authority: Authority | None) -> QuerySet[Arena]:
    if authority is None:
        return Arena.objects.none()
    return Arena.objects.filter(authority=authority)


def agreements_for(authority: Authority | None) -> QuerySet[Agreement]:
    if authority is None:
        return Agreement.objects.none()
    return Agreement.objects.filter(authority=authority)


def allocations_for(partner: Partner) -> QuerySet[Allocation]:
    """The allocations the partner received, matched by organisation number within the same authority."""
    if not partner.org_number:
        return Allocation.objects.none()
    return Allocation.objects.filter(authority_id=partner.authority_id).filter(
        Q(org_number=partner.org_number) | Q(recipient__org_number=partner.org_number)
    )


def _sum(amounts: list) -> Decimal:
    return sum((Decimal(a) for a in amounts if a is not None), ZERO)


def money_received(partner: Partner) -> dict:
    """Money granted and paid to a partner, in total and per year (counted statuses only), exact to the øre."""
    rows = list(
        allocations_for(partner).filter(status__in=COUNTED_STATUSES).values_list("year", "amount", "amount_paid")
    )
    years: dict[int, dict] = defaultdict(lambda: {"granted": ZERO, "paid": ZERO, "count": 0})
    for year, amount, paid in rows:
        years[year]["granted"] += Decimal(amount)
        years[year]["paid"] += Decimal(paid) if paid is not None else ZERO
        years[year]["count"] += 1
    by_year = [{"year": y, **years[y]} for y in sorted(years)]
    return {
        "granted": _sum([r[1] for r in rows]),
        "paid": _sum([r[2] for r in rows]),
        "count": len(rows),
        "by_year": by_year,
        "max_year": max((y["granted"] for y in by_year), default=ZERO),
    }


def money_by_partner(authority: Authority) -> dict[int, Decimal]:
    """Money granted to each partner with an organisation number (counted statuses only)."""
    by_org = {p.org_number: p.pk for p in partners_for(authority).exclude(org_number="")}
    if not by_org:
        return {}
    rows = (
        Allocation.objects.filter(authority=authority, status__in=COUNTED_STATUSES)
        .filter(Q(org_number__in=by_org) | Q(recipient__org_number__in=by_org))
        .values_list("org_number", "recipient__org_number", "amount")
    )
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for org, recipient_org, amount in rows:
        key = org if org in by_org else recipient_org
        totals[by_org[key]] += Decimal(amount)
    return dict(totals)


def partner_for_allocation(allocation: Allocation) -> Partner | None:
    org = allocation.org_number or (allocation.recipient.org_number if allocation.recipient else "")
    if not org:
        return None
    return Partner.objects.filter(authority_id=allocation.authority_id, org_number=org).first()


# --- coverage ---------------------------------------------------------------------------------


def focus_strategy(authority: Authority | None, code: str | None = None) -> Strategy | None:
    from snu.strategy.queries import current_strategy, strategies_for

    if code:
        return strategies_for(authority).filter(code=code).first()
    return current_strategy(authority, dt.date.today().year)


def coverage(authority: Authority, strategy: Strategy | None) -> list[dict]:
    """Per focus area of the strategy: the partners, arenas and agreements that serve it.

    `uncovered` marks a focus area no partner serves."""
    if strategy is None:
        return []
    # Four queries whatever the number of areas (the home page asks for this on every visit).
    areas = (
        strategy.elements.filter(kind=ElementKind.FOCUS_AREA)
        .order_by("order", "code")
        .prefetch_related(
            Prefetch(
                "partners",
                Partner.objects.filter(authority=authority, is_active=True).order_by("name"),
                to_attr="serving_partners",
            ),
            Prefetch(
                "arenas",
                Arena.objects.filter(authority=authority, is_active=True).order_by("name"),
                to_attr="serving_arenas",
            ),
            Prefetch(
                "agreements",
                Agreement.objects.filter(authority=authority).order_by("title"),
                to_attr="serving_agreements",
            ),
        )
    )
    rows = []
    for area in areas:
        partners, arenas, agreements = area.serving_partners, area.serving_arenas, area.serving_agreements
        rows.append(
            {
                "element": area,
                "partners": partners,
                "arenas": arenas,
                "agreements": agreements,
                "uncovered": not partners,
                "single_partner": len(partners) == 1,
            }
        )
    return rows


def uncovered_focus_areas(authority: Authority, strategy: Strategy | None) -> list[Element]:
    return [row["element"] for row in coverage(authority, strategy) if row["uncovered"]]


def concentration_warnings(authority: Authority, strategy: Strategy | None, graph: dict | None = None) -> list[dict]:
    """Where the network leans on too few: one partner per focus area, one partner with much of the money,
    one partner holding groups together. Each warning: {"kind", "subject", "share"?}."""
    warnings = []
    for row in coverage(authority, strategy):
        if row["single_partner"]:
            warnings.append({"kind": "single_partner", "subject": row["element"], "partner": row["partners"][0]})
    totals = money_by_partner(authority)
    grand = sum(totals.values(), ZERO)
    if grand > 0 and len(totals) > 1:
        names = dict(partners_for(authority).filter(pk__in=totals).values_list("pk", "name"))
        for pk, amount in sorted(totals.items(), key=lambda kv: -kv[1]):
            share = amount / grand
            if share > CONCENTRATION_SHARE:
                warnings.append({"kind": "money", "subject": names[pk], "share": share, "partner_id": pk})
    graph = graph if graph is not None else partner_network(authority)
    for node in graph["cut_points"]:
        warnings.append({"kind": "broker", "subject": node["name"], "partner_id": node["id"]})
    return warnings


# --- network ----------------------------------------------------------------------------------

EDGE_KINDS = ("agreement", "arena", "project")


def _normalise_title(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().casefold()


def network_edges(authority: Authority) -> dict[frozenset, dict[str, list[str]]]:
    """Pairs of partners and what connects them: {frozenset(a, b): {"agreement": [..], "arena": [..], "project": [..]}}.

    A co-funded project is an allocation title (normalised) shared by allocations to two or more partners."""
    edges: dict[frozenset, dict[str, list[str]]] = defaultdict(lambda: {k: [] for k in EDGE_KINDS})
    for agreement in agreements_for(authority).prefetch_related("parties"):
        for a, b in combinations(sorted(p.pk for p in agreement.parties.all()), 2):
            edges[frozenset((a, b))]["agreement"].append(agreement.title)
    for arena in arenas_for(authority).filter(is_active=True).prefetch_related("members"):
        ids = {p.pk for p in arena.members.all()} | ({arena.coordinator_id} if arena.coordinator_id else set())
        for a, b in combinations(sorted(ids), 2):
            edges[frozenset((a, b))]["arena"].append(arena.name)
    by_org = {p.org_number: p.pk for p in partners_for(authority).exclude(org_number="")}
    if by_org:
        rows = (
            Allocation.objects.filter(authority=authority)
            .exclude(title="")
            .filter(Q(org_number__in=by_org) | Q(recipient__org_number__in=by_org))
            .values_list("title", "org_number", "recipient__org_number")
        )
        projects: dict[str, tuple[str, set[int]]] = {}
        for title, org, recipient_org in rows:
            key = _normalise_title(title)
            entry = projects.setdefault(key, (title, set()))
            entry[1].add(by_org[org] if org in by_org else by_org[recipient_org])
        for title, ids in projects.values():
            for a, b in combinations(sorted(ids), 2):
                edges[frozenset((a, b))]["project"].append(title)
    return dict(edges)


def partner_network(authority: Authority, width: int = 800, height: int = 520) -> dict:
    """Nodes with degree, betweenness, component and cut-point flag; edges with their kinds; an SVG layout."""
    partners = {p.pk: p for p in partners_for(authority).filter(is_active=True)}
    raw_edges = {pair: kinds for pair, kinds in network_edges(authority).items() if pair <= partners.keys()}
    graph = network.build_graph(partners, [tuple(pair) for pair in raw_edges])
    degrees = network.degree(graph)
    between = network.betweenness(graph)
    cuts = network.articulation_points(graph)
    groups = network.components(graph)
    group_of = {node: i + 1 for i, group in enumerate(groups) for node in group}
    positions = network.layout(graph, width, height)
    nodes: list[dict[str, Any]] = [
        {
            "id": pk,
            "name": p.name,
            "partner": p,
            "type": p.get_partner_type_display(),
            "degree": degrees[pk],
            "betweenness": between[pk],
            "group": group_of[pk],
            "is_cut_point": pk in cuts,
            "x": positions[pk][0],
            "y": positions[pk][1],
            "label_y": positions[pk][1] + 26,
            "neighbours": sorted((partners[n].name for n in graph[pk]), key=str.casefold),
        }
        for pk, p in partners.items()
    ]
    nodes.sort(key=lambda n: (-n["betweenness"], -n["degree"], n["name"].casefold()))
    edges: list[dict[str, Any]] = []
    for pair, kinds in raw_edges.items():
        a, b = sorted(pair)
        main = next(k for k in EDGE_KINDS if kinds[k])
        edges.append(
            {
                "a": partners[a],
                "b": partners[b],
                "kinds": {k: sorted(set(v)) for k, v in kinds.items() if v},
                "main": main,
                "x1": positions[a][0],
                "y1": positions[a][1],
                "x2": positions[b][0],
                "y2": positions[b][1],
            }
        )
    edges.sort(key=lambda e: (e["a"].name.casefold(), e["b"].name.casefold()))
    linked_groups = [g for g in groups if len(g) > 1]
    return {
        "nodes": nodes,
        "edges": edges,
        "groups": len(linked_groups),
        "isolated": [partners[g[0]] for g in groups if len(g) == 1],
        "cut_points": [n for n in nodes if n["is_cut_point"]],
        "width": width,
        "height": height,
    }


# --- home page --------------------------------------------------------------------------------


def expiring_agreements(authority: Authority, today: dt.date | None = None) -> list[Agreement]:
    today = today or dt.date.today()
    open_ones = agreements_for(authority).filter(status__in=[AgreementStatus.ACTIVE, AgreementStatus.UP_FOR_RENEWAL])
    return sorted(
        (a for a in open_ones if a.is_expiring(today)),
        key=lambda a: a.next_deadline or today,
    )
