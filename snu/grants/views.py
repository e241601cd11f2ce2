from __future__ import annotations

import functools

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from snu.core import dataversion
from snu.core import panels as sections
from snu.core.permissions import owned_or_404, reader_required
from snu.grants import queries
from snu.grants.models import Allocation

PAGE_SIZE = 50
PANEL_APPS = ("classify", "plans", "partners")


class _Echo:
    def write(self, value: str) -> str:
        return value


@reader_required
def allocation_list(request: HttpRequest) -> HttpResponseBase:
    flt = queries.AllocationFilter.from_query(request.GET)
    qs = queries.allocations(request.authority, flt)  # type: ignore[attr-defined]
    if request.GET.get("format") == "csv":
        return _csv(qs)

    @functools.cache
    def listing() -> dict:
        # Read only when the kept list is not used ({% cache %} in the template): totals, choices and the recipient
        # cost a few milliseconds of CPU even when each is kept.
        totals = queries.totals(qs)
        paginator = Paginator(qs, PAGE_SIZE)
        paginator.count = totals["count"]  # one scan for the count and the sum, not two
        return {
            "totals": totals,
            "page": paginator.get_page(request.GET.get("page")),
            "choices": queries.filter_choices(request.authority),  # type: ignore[attr-defined]
            "recipient": queries.recipient(request.authority, flt.recipient),  # type: ignore[attr-defined]
        }

    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **{name: SimpleLazyObject(functools.partial(lambda n: listing()[n], name)) for name in _LISTED},
        "flt": flt,
        "historical": request.GET.get("names") == "historical",
        "query": query.urlencode(),
        # The rendered list is kept per data version, authority, address and language ({% cache %}); the page's
        # rows are read lazily inside it, so a kept list costs no query for them.
        "fragment_key": dataversion.fragment_key(scope=_scope(qs)),
    }
    return render(request, "grants/allocation_list.html", context)


_LISTED = ("totals", "page", "choices", "recipient")


def _scope(qs) -> int:
    """The list is kept under the allocation version unless its filter reads alignments (the review filter)."""
    try:
        return dataversion.allocation_scope(qs.query.sql_with_params()[0])
    except EmptyResultSet:
        return dataversion.DATA


def _csv(qs) -> StreamingHttpResponse:
    import csv

    from snu.imports.exporters import EXPORT_COLUMNS, canonical_rows

    writer = csv.writer(_Echo())
    rows = (writer.writerow(r) for r in [EXPORT_COLUMNS])
    body = (writer.writerow(r) for r in canonical_rows(qs))
    response = StreamingHttpResponse(_chain(rows, body), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="allocations.csv"'
    return response


def _chain(*parts):
    for part in parts:
        yield from part


def allocation_panels(request: HttpRequest, allocation: Allocation) -> list[dict]:
    """Sections other apps add to the allocation page (alignment, plans, partners)."""
    panels = [
        p
        for _app, module in sections.modules(PANEL_APPS, "allocation_panels")
        for p in module.panels(request, allocation)
    ]
    return sorted(panels, key=lambda p: p.get("order", 50))


def allocation_rows(allocation: Allocation) -> tuple:
    """The state of the rows the panels show beyond what the base version counts (`snu.core.dataversion.BASE`):
    each panel app may give `kept_rows(allocation)` (the alignment section gives its alignments' stamps). The
    other panels show audited records (plans, partners) and allocations, which the edit and base versions cover."""
    return sections.kept_rows(PANEL_APPS, "allocation_panels", allocation)


@reader_required
def allocation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    qs = Allocation.objects.select_related(
        "scheme", "funding_source", "municipality", "current_municipality", "recipient"
    )
    allocation = owned_or_404(qs, request, pk=pk)
    municipality = allocation.municipality  # type: ignore[attr-defined]
    successors = municipality.successors.select_related("successor") if municipality and municipality.is_split else []
    context = {
        "a": allocation,
        "successors": successors,
        # Built only when the page is not kept ({% keep %} in the template).
        "panels": functools.cache(lambda: allocation_panels(request, allocation)),  # type: ignore[arg-type]
        # What the page is kept under besides the base version: the state of the few alignments it shows.
        "kept_rows": functools.cache(lambda: allocation_rows(allocation)),  # type: ignore[arg-type]
    }
    return render(request, "grants/allocation_detail.html", context)
