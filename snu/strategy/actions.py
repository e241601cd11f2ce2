"""Every change to strategies, their elements and mappings goes through these functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from snu.core import audit
from snu.core.models import Authority
from snu.strategy import yamlio
from snu.strategy.models import Element, MappingLink, Strategy, StrategyMapping

ELEMENT_FIELDS = ("kind", "name", "description", "keywords", "industry_codes", "target_share")


def load_file(actor: Any, authority: Authority, path: str | Path) -> Strategy | StrategyMapping:
    """Load a strategy or a mapping file. Raises StrategyFileError and stores nothing on any problem."""
    raw = yamlio.parse_yaml(Path(path).read_text(encoding="utf-8"))
    if yamlio.is_mapping_file(raw):
        return load_mapping(actor, authority, yamlio.validate_mapping(raw))
    return load_strategy(actor, authority, yamlio.validate_strategy(raw))


@transaction.atomic
def load_strategy(actor: Any, authority: Authority, data: yamlio.StrategyData) -> Strategy:
    """Create or update a strategy by code, with its elements, all or nothing."""
    strategy = Strategy.objects.filter(authority=authority, code=data.code).first()
    values = {
        "name": data.name,
        "description": data.description,
        "period_from": data.period_from,
        "period_to": data.period_to,
        "status": data.status,
        "source": data.source,
    }
    if strategy is None:
        strategy = Strategy.objects.create(authority=authority, code=data.code, **values)
        audit.record_create(actor, strategy, action="load_strategy")
    else:
        before = audit.snapshot(strategy)
        for key, value in values.items():
            setattr(strategy, key, value)
        strategy.save()
        audit.record_update(actor, strategy, before, action="load_strategy")
    _sync_elements(actor, strategy, data.elements)
    return strategy


def _sync_elements(actor: Any, strategy: Strategy, elements: list[yamlio.ElementData]) -> None:
    existing = {e.code: e for e in strategy.elements.all()}
    saved: dict[str, Element] = {}
    for order, data in enumerate(elements):
        element = existing.get(data.code) or Element(strategy=strategy, code=data.code)
        before = audit.snapshot(element) if element.pk else None
        for key in ELEMENT_FIELDS:
            setattr(element, key, getattr(data, key))
        element.order = order
        element.parent = None
        element.save()
        saved[data.code] = element
        if before is None:
            audit.record_create(actor, element, action="load_strategy", authority=strategy.authority)
        else:
            audit.record_update(actor, element, before, action="load_strategy", authority=strategy.authority)
    for data in elements:
        element = saved[data.code]
        if data.parent:
            element.parent = saved[data.parent]
            element.save(update_fields=["parent"])
        element.related.set([saved[c] for c in data.related])
    for code, element in existing.items():
        if code not in saved:
            delete_element(actor, element)


@transaction.atomic
def load_mapping(actor: Any, authority: Authority, data: yamlio.MappingData) -> StrategyMapping:
    problems = []
    strategies: dict[str, Any] = {}
    for code in (data.source, data.target):
        strategies[code] = Strategy.objects.filter(authority=authority, code=code).first()
        if strategies[code] is None:
            problems.append(yamlio.Problem(1, f"unknown strategy {code!r}: load it first"))
    if problems:
        raise yamlio.StrategyFileError(problems)
    source, target = strategies[data.source], strategies[data.target]
    source_elements = {e.code: e for e in source.elements.all()}
    target_elements = {e.code: e for e in target.elements.all()}
    for src, dst, _weight, line in data.links:
        if src not in source_elements:
            problems.append(yamlio.Problem(line, f"{src!r} is not an element of {source.code}"))
        if dst not in target_elements:
            problems.append(yamlio.Problem(line, f"{dst!r} is not an element of {target.code}"))
    if problems:
        raise yamlio.StrategyFileError(problems)
    mapping, created = StrategyMapping.objects.get_or_create(source=source, target=target)
    before = {"links": [str(link) for link in mapping.links.all()]}
    mapping.links.all().delete()
    MappingLink.objects.bulk_create(
        MappingLink(mapping=mapping, source_element=source_elements[s], target_element=target_elements[t], weight=w)
        for s, t, w, _line in data.links
    )
    after = {"links": [str(link) for link in mapping.links.all()]}
    verb = "create" if created else "update"
    audit.record(actor, verb, mapping, action="load_mapping", before=before, after=after, authority=authority)
    return mapping


@transaction.atomic
def update_strategy(actor: Any, strategy: Strategy, **values: Any) -> Strategy:
    before = audit.snapshot(strategy)
    for key, value in values.items():
        setattr(strategy, key, value)
    strategy.full_clean()
    strategy.save()
    audit.record_update(actor, strategy, before, action="update_strategy")
    return strategy


@transaction.atomic
def save_element(actor: Any, element: Element, related: list[Element] | None = None) -> Element:
    """Create or update one element (from the edit form)."""
    before = audit.snapshot(Element.objects.get(pk=element.pk)) if element.pk else None
    element.full_clean()
    element.save()
    if related is not None:
        element.related.set(related)
    if before is None:
        audit.record_create(actor, element, action="save_element", authority=element.strategy.authority)
    else:
        audit.record_update(actor, element, before, action="save_element", authority=element.strategy.authority)
    return element


@transaction.atomic
def delete_element(actor: Any, element: Element) -> None:
    before = audit.snapshot(element)
    authority = element.strategy.authority
    element.children.update(parent=element.parent)
    audit.record_delete(actor, element, before, action="delete_element", authority=authority)
    element.delete()


def mapped_elements(source: Element, target: Strategy) -> list[tuple[Element, Any]]:
    """Where an element of an older strategy lands in a newer one: [(element, weight)]."""
    links = MappingLink.objects.filter(mapping__target=target, source_element=source).select_related("target_element")
    return [(link.target_element, link.weight) for link in links]


def mapped_elements_all(element: Element) -> list[dict]:
    """Every newer (or older) strategy this element maps to or from, for the element page."""
    out = MappingLink.objects.filter(source_element=element).select_related("target_element__strategy")
    into = MappingLink.objects.filter(target_element=element).select_related("source_element__strategy")
    rows = [{"direction": "to", "element": link.target_element, "weight": link.weight} for link in out]
    rows += [{"direction": "from", "element": link.source_element, "weight": link.weight} for link in into]
    return rows
