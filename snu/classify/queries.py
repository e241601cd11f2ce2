"""Reads of alignments for pages, reports, analytics and the API."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from snu.classify import engine
from snu.classify.models import Alignment, AlignmentElement, Origin
from snu.core import dataversion
from snu.grants.models import Allocation
from snu.strategy.models import ELEMENT_KIND_PLURAL, Element, ElementKind, MappingLink, Strategy

HIGH_CONFIDENCE = 0.8
FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "description": gettext_lazy("Description"),
    "scheme": gettext_lazy("Scheme"),
    "funding_source": gettext_lazy("Funding source"),
}


def allocation_url(allocation: Allocation | int) -> str:
    """The allocation's own page when the grants app routes one, else our alignment page for it."""
    pk = allocation if isinstance(allocation, int) else allocation.pk
    try:
        return reverse("grants:allocation_detail", args=[pk])
    except NoReverseMatch:
        return reverse("classify:allocation", args=[pk])


# ------------------------------------------------------------------ review queue


def alignments_for(strategy: Strategy) -> QuerySet[Alignment]:
    return Alignment.objects.filter(strategy=strategy)


def review_queue(strategy: Strategy, limit: int = 20) -> list[Alignment]:
    """Not yet reviewed first; among them the most uncertain and largest (uncertainty × log amount)."""
    qs = (
        alignments_for(strategy)
        .exclude(origin=Origin.PERSON)
        .select_related("allocation", "primary", "strategy")
        .prefetch_related("elements__element__strategy")
        .order_by("-priority", "pk")
    )
    return list(qs[:limit])


def progress(strategy: Strategy) -> dict:
    # Two counts, not one with a filter. The reviewed ones come from the (strategy, origin, …) index in a
    # millisecond, kept per data version (every decision moves it). The total is a plain count (0.3 s at 1 M
    # alignments), which a decision cannot change: kept per base version (alignments created or deleted move it).
    total = dataversion.cached(
        "review-total", strategy.pk, lambda: alignments_for(strategy).count(), scope=dataversion.BASE
    )
    reviewed = dataversion.cached(
        "review-reviewed", strategy.pk, lambda: alignments_for(strategy).filter(origin=Origin.PERSON).count()
    )
    return {"total": total, "reviewed": reviewed, "left": total - reviewed, "share": reviewed / total if total else 0}


UNREVIEWED = [origin for origin in Origin.values if origin != Origin.PERSON]


def high_confidence_groups(strategy: Strategy, threshold: float = HIGH_CONFIDENCE) -> list[dict]:
    """Unreviewed suggestions the model is sure of, grouped by primary focus area (for bulk accept)."""
    rows = dataversion.cached(
        "review-groups",
        (strategy.pk, threshold),
        lambda: list(
            alignments_for(strategy)
            # "not by a person" spelled as the other origins, so the (strategy, origin, confidence) index finds
            # the confident ones (at 1 M alignments 4 ms instead of 0.4 s after every decision)
            .filter(origin__in=UNREVIEWED, confidence__gte=threshold, primary__isnull=False)
            .values("primary__code", "primary__name")
            .annotate(count=Count("pk"), amount=Sum("allocation__amount"))
            .order_by("-count")
        ),
    )
    return [
        {"code": r["primary__code"], "name": r["primary__name"], "count": r["count"], "amount": r["amount"]}
        for r in rows
    ]


def high_confidence_group(strategy: Strategy, code: str, threshold: float = HIGH_CONFIDENCE) -> QuerySet[Alignment]:
    return (
        alignments_for(strategy)
        .exclude(origin=Origin.PERSON)
        .filter(confidence__gte=threshold, primary__code=code)
        .select_related("allocation", "primary", "strategy")
        .order_by("-allocation__amount", "pk")
    )


# ------------------------------------------------------------------ one alignment, explained


def explained(alignment: Alignment, *, similar: int = 3, memo: dict | None = None) -> dict:
    """An alignment ready for a page: elements per kind with scores, the why, similar confirmed ones.

    `memo` (a dict kept for one page) saves reading the same version mapping for every alignment."""
    prefetched = getattr(alignment, "_prefetched_objects_cache", {}).get("elements")
    if prefetched is not None:  # the review queue prefetches elements with their element
        rows = sorted(prefetched, key=lambda r: (not r.assigned, -r.score))
    else:
        rows = list(alignment.elements.select_related("element__strategy").order_by("-assigned", "-score"))  # type: ignore[attr-defined]
    by_code = {r.element.code: r for r in rows}
    groups = []
    for kind in ElementKind:
        members = [r for r in rows if r.element.kind == kind]
        if members:
            groups.append({"kind": kind, "label": ELEMENT_KIND_PLURAL[kind], "rows": members})
    evidence = alignment.evidence or {}
    why = []
    for code, row in by_code.items():
        terms = evidence.get("terms", {}).get(code, [])
        rules = [describe_rule(rule) for rule in evidence.get("rules", {}).get(code, [])]
        if row.assigned and (terms or rules):
            why.append(
                {
                    "element": row.element,
                    "terms": [{"term": t[0], "token": t[1], "field": FIELD_LABELS.get(t[2], t[2])} for t in terms],
                    "rules": rules,
                }
            )
    return {
        "alignment": alignment,
        "url": allocation_url(alignment.allocation_id),
        "groups": groups,
        "assigned": [r for r in rows if r.assigned],
        "why": why,
        "similar": similar_confirmed(alignment, similar) if similar else [],
        "in_newer": in_newer_terms(alignment, rows, memo),
    }


def describe_rule(rule: str) -> str:
    kind, _sep, rest = rule.partition(":")
    if kind == "industry":
        code, _sep, prefix = rest.partition(":")
        return _("Industry code %(code)s starts with %(prefix)s") % {"code": code, "prefix": prefix}
    return rule


def similar_confirmed(alignment: Alignment, k: int = 3) -> list[dict]:
    """Confirmed allocations the active model learned from that read most like this one."""
    pairs = similar_allocations(alignment, k)
    if not pairs:
        return []
    confirmed = {
        a.allocation_id: a
        for a in Alignment.objects.filter(
            strategy=alignment.strategy, origin=Origin.PERSON, allocation_id__in=[p[0] for p in pairs]
        ).select_related("allocation", "primary")
    }
    return [
        {"alignment": confirmed[pk], "similarity": s, "url": allocation_url(pk)} for pk, s in pairs if pk in confirmed
    ]


def similar_allocations(alignment: Alignment, k: int = 3) -> list[tuple[int, float]]:
    """(allocation id, similarity) of the k allocations the active model learned from that read most like this one."""
    load = lambda: (alignment.allocation, alignment.strategy)  # noqa: E731 - read only when not remembered
    return _similar(alignment.allocation_id, alignment.strategy_id, k, load)


# (allocation, strategy, k, edit version, base version) -> similar ones: remembered per process, not in the shared
# cache (a file written costs a listing of the cache folder), for the key of a kept allocation page and its render.
_SIMILAR: OrderedDict[tuple, list[tuple[int, float]]] = OrderedDict()
_SIMILAR_SIZE = 20_000
_SIMILAR_LOCK = threading.Lock()


def _similar(
    allocation_id: int, strategy_id: int, k: int, load: Callable[[], tuple[Allocation, Strategy]]
) -> list[tuple[int, float]]:
    key = (allocation_id, strategy_id, k, dataversion.edits(), dataversion.stamp(scope=dataversion.BASE))
    with _SIMILAR_LOCK:
        if key in _SIMILAR:
            _SIMILAR.move_to_end(key)
            return _SIMILAR[key]
    allocation, strategy = load()
    model, _label = engine.current_model(strategy)
    ids = getattr(model, "allocation_ids_", None)
    found = []
    if ids:
        pairs = model.similar(engine.allocation_row(allocation), k + 1)
        found = [(ids[i], s) for i, s in pairs if i < len(ids) and ids[i] != allocation.pk and s > 0][:k]
    with _SIMILAR_LOCK:
        _SIMILAR[key] = found
        while len(_SIMILAR) > _SIMILAR_SIZE:
            _SIMILAR.popitem(last=False)
    return found


def allocation_rows(allocation: Allocation, similar: int = 3) -> tuple:
    """The state of the alignments an allocation's section shows: its own and the similar confirmed ones named under
    them, as (id, updated_at, version). With the base version it tells when the kept page is out of date (a decision
    elsewhere leaves it standing). `allocation` comes with its scheme, funding source and recipient (the model reads
    them); one query when no similar ones are named and the model's answer is remembered in this process."""
    own = tuple(
        Alignment.objects.filter(allocation=allocation)
        .order_by("pk")
        .values_list("pk", "strategy_id", "updated_at", "version")
    )
    similar_ids: set[int] = set()
    for _pk, strategy_id, _updated, _version in own:
        load = functools.partial(lambda pk: (allocation, Strategy.objects.get(pk=pk)), strategy_id)
        similar_ids.update(found for found, _s in _similar(allocation.pk, strategy_id, similar, load))
    if not similar_ids:
        return own
    others = Alignment.objects.filter(allocation_id__in=similar_ids).order_by("pk")
    return own + tuple(others.values_list("pk", "strategy_id", "updated_at", "version"))


# ------------------------------------------------------------------ across strategy versions


def mapping_weights(source: Strategy, target: Strategy) -> dict[int, list[tuple[Element, Decimal]]]:
    """source element id → [(target element, link weight)] from the version mapping (empty if none)."""

    def read() -> dict[int, list[tuple[Element, Decimal]]]:
        links = MappingLink.objects.filter(mapping__source=source, mapping__target=target).select_related(
            "target_element"
        )
        out: dict[int, list[tuple[Element, Decimal]]] = defaultdict(list)
        for link in links:
            out[link.source_element_id].append((link.target_element, link.weight))
        return out

    return dataversion.remembered("mapping-weights", (source.pk, target.pk), read)


def newer_strategies(strategy: Strategy) -> list[Strategy]:
    # Strategies are counted in the base version, mappings are audited: remembered per process while both stand.
    return dataversion.remembered(
        "newer-strategies",
        strategy.pk,
        lambda: [m.target for m in strategy.mappings_out.select_related("target").order_by("-target__period_from")],
    )


def weights_in_terms(weights: dict[int, Decimal], links: dict[int, list[tuple[Element, Decimal]]]) -> dict:
    """Focus-area weights of an old alignment carried into the newer structure (normalised to 1).

    Link weights of one source element need not add to 1; they are normalised per source, so the
    allocation's money is neither lost nor counted twice.
    """
    out: dict[Element, Decimal] = {}
    for element_id, weight in weights.items():
        targets = links.get(element_id, [])
        total = sum((w for _e, w in targets), Decimal(0))
        for element, link_weight in targets:
            share = weight * link_weight / total if total else Decimal(0)
            out[element] = out.get(element, Decimal(0)) + share
    return out


def in_newer_terms(alignment: Alignment, rows: list | None = None, memo: dict | None = None) -> list[dict]:
    """For an alignment to an older strategy: its focus areas as each newer strategy names them."""
    if rows is not None:
        weights = {r.element_id: r.weight for r in rows if r.weight > 0}
    else:
        weights = dict(
            alignment.elements.filter(weight__gt=0).values_list("element_id", "weight")  # type: ignore[attr-defined]
        )
    memo = {} if memo is None else memo
    source = alignment.strategy
    if ("newer", source.pk) not in memo:
        memo[("newer", source.pk)] = newer_strategies(source)
    result = []
    for target in memo[("newer", source.pk)]:
        if ("links", source.pk, target.pk) not in memo:
            memo[("links", source.pk, target.pk)] = mapping_weights(source, target)
        mapped = weights_in_terms(weights, memo[("links", source.pk, target.pk)])
        if mapped:
            ordered = sorted(mapped.items(), key=lambda item: -item[1])
            result.append({"strategy": target, "elements": [{"element": e, "weight": w} for e, w in ordered]})
    return result


def amounts_in_terms(source: Strategy, target: Strategy, allocations: QuerySet[Allocation] | None = None) -> dict:
    """Money aligned to `source`, shown in `target`'s focus areas via the mapping: {target element: Decimal}.

    For analytics: history in the newer strategy's structure, each krone counted once.
    """
    rows = AlignmentElement.objects.filter(alignment__strategy=source, weight__gt=0)
    if allocations is not None:
        rows = rows.filter(alignment__allocation__in=allocations)
    per_element = dict(rows.values("element_id").annotate(total=Sum("amount")).values_list("element_id", "total"))
    links = mapping_weights(source, target)
    out: dict[Element, Decimal] = {}
    for element_id, amount in per_element.items():
        targets = links.get(element_id, [])
        total = sum((w for _e, w in targets), Decimal(0))
        for element, weight in targets:
            out[element] = out.get(element, Decimal(0)) + (amount * weight / total if total else Decimal(0))
    return {e: a.quantize(Decimal("0.01")) for e, a in out.items()}


# ------------------------------------------------------------------ element pages


def element_allocations(element: Element) -> QuerySet[AlignmentElement]:
    """An element's allocations, assigned first, then by score (the order of the element_ranking index)."""
    return (
        AlignmentElement.objects.filter(element=element, score__gt=0)
        .select_related("alignment__allocation", "alignment__primary")
        .order_by("-assigned", "-score", "alignment_id")
    )


def element_rows_stamp(element: Element, start: int, stop: int) -> tuple:
    """The state of the alignments an element's list shows from `start` to `stop` (their ids and `updated_at`, read
    through the ranking index): with the totals version, what the kept list stands on."""
    return tuple(element_allocations(element).values_list("alignment_id", "alignment__updated_at")[start:stop])


def element_totals(element: Element) -> dict:
    # Counts and sums of element rows: a person accepting a suggestion leaves them alone (the totals version).
    return dataversion.cached(
        "element-totals",
        element.pk,
        lambda: AlignmentElement.objects.filter(element=element, assigned=True).aggregate(
            count=Count("pk"), amount=Sum("amount")
        ),
        scope=dataversion.TOTALS,
    )


def alignment_of(allocation: Allocation, strategy: Strategy) -> Alignment | None:
    return Alignment.objects.filter(allocation=allocation, strategy=strategy).select_related("primary").first()


def alignments_of(allocation: Allocation) -> list[Alignment]:
    """An allocation's alignments with their scored elements (one query each, however many elements)."""
    rows = AlignmentElement.objects.select_related("element__strategy")
    return list(
        Alignment.objects.filter(allocation=allocation)
        .select_related("strategy", "primary", "reviewed_by")
        .prefetch_related(Prefetch("elements", queryset=rows))
        .order_by("-strategy__period_from")
    )
