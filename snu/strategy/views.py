from __future__ import annotations

import functools

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from snu.core import panels as sections
from snu.core.permissions import advisor_required, owned_or_404, reader_required
from snu.strategy import actions, queries, yamlio
from snu.strategy.forms import ElementForm, StrategyForm
from snu.strategy.models import Element, Strategy


def _strategy(request: HttpRequest, code: str) -> Strategy:
    return owned_or_404(Strategy.objects.all(), request, code=code)  # type: ignore[return-value]


@reader_required
def strategy_list(request: HttpRequest) -> HttpResponse:
    strategies = queries.strategies_for(request.authority).prefetch_related("elements")  # type: ignore[attr-defined]
    return render(request, "strategy/list.html", {"strategies": strategies})


@reader_required
def strategy_detail(request: HttpRequest, code: str) -> HttpResponse:
    strategy = _strategy(request, code)
    mappings = strategy.mappings_out.select_related("target").all()
    return render(
        request,
        "strategy/detail.html",
        {"strategy": strategy, "s": queries.structure(strategy), "mappings": mappings},
    )


@reader_required
def strategy_yaml(request: HttpRequest, code: str) -> HttpResponse:
    strategy = _strategy(request, code)
    response = HttpResponse(yamlio.dump_strategy(strategy), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{strategy.code}.yaml"'
    return response


@advisor_required
def strategy_edit(request: HttpRequest, code: str) -> HttpResponse:
    strategy = _strategy(request, code)
    form = StrategyForm.for_strategy(strategy, request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.update_strategy(request.user, strategy, **form.values())
        messages.success(request, _("The strategy was saved."))
        return redirect(strategy)
    return render(request, "strategy/edit.html", {"strategy": strategy, "form": form})


ELEMENT_PANEL_APPS = ("classify", "analytics", "plans", "partners", "signals")


def element_panels(request: HttpRequest, element: Element) -> list[dict]:
    """Sections other apps add to an element page (allocations, plans, partners, signals)."""
    return [
        p
        for _app, module in sections.modules(ELEMENT_PANEL_APPS, "element_panels")
        for p in module.panels(request, element)
    ]


def element_rows(request: HttpRequest, element: Element) -> tuple:
    """What the element page is kept under besides the totals and edit versions: each panel app may give
    `kept_rows(request, element)`, the state of what its section shows beyond them (the alignments listed, the
    analytics snapshot). Plans, partners and signals are audited records: the edit version covers them."""
    return sections.kept_rows(ELEMENT_PANEL_APPS, "element_panels", request, element)


@reader_required
def element_detail(request: HttpRequest, code: str, element_code: str) -> HttpResponse:
    strategy = _strategy(request, code)
    element = get_object_or_404(strategy.elements.select_related("parent"), code=element_code)
    context = {
        "strategy": strategy,
        "element": element,
        "children": element.children.order_by("order", "code"),
        "related": element.related.order_by("kind", "order"),
        # Built only when the page is not kept ({% keep %} in the template).
        "mapped": functools.cache(lambda: actions.mapped_elements_all(element)),
        "panels": functools.cache(lambda: element_panels(request, element)),
        "kept_rows": functools.cache(lambda: element_rows(request, element)),
    }
    return render(request, "strategy/element.html", context)


@advisor_required
def element_edit(request: HttpRequest, code: str, element_code: str | None = None) -> HttpResponse:
    strategy = _strategy(request, code)
    element = get_object_or_404(strategy.elements, code=element_code) if element_code else None
    initial = ElementForm.initial_for(element) if element else {"kind": request.GET.get("kind", "focus_area")}
    form = ElementForm(request.POST or None, initial=initial, strategy=strategy, element=element)
    if request.method == "POST" and form.is_valid():
        saved = actions.save_element(
            request.user,
            form.apply(element or Element(strategy=strategy)),
            related=list(form.cleaned_data["related"]),
        )
        messages.success(request, _("The element was saved."))
        return redirect(saved)
    return render(request, "strategy/element_edit.html", {"strategy": strategy, "element": element, "form": form})
