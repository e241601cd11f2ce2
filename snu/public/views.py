"""Open data: pages anyone can read (no login), with downloads. Only `queries.public_allocation` reaches them."""

from __future__ import annotations

import functools

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from snu.core import dataversion
from snu.core.models import Authority
from snu.grants.models import Municipality
from snu.lib.i18n import pick
from snu.public import exports, queries
from snu.public.forms import PublicFilterForm

PAGE_SIZE = 50


def _authority(code: str) -> Authority:
    return get_object_or_404(Authority, code=code)


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "public/index.html", {"authorities": Authority.objects.order_by("name")})


def _listing(request: HttpRequest, authority: Authority, fixed: dict, heading: str, lead: str = "") -> HttpResponse:
    @functools.cache
    def listing() -> dict:
        # Built only when the kept listing is not used ({% cache %} in the template): the form's choices, the
        # filtered query, its totals and the page cost about 8 ms of CPU a request even when everything is kept.
        strategy = queries.public_strategy(authority)
        form = PublicFilterForm(request.GET or None, authority=authority, strategy=strategy)
        filters = {**form.filters(), **fixed}
        allocations = queries.apply_filters(queries.public_allocations(authority), filters, strategy)
        totals = queries.totals(allocations)
        paginator = Paginator(allocations, PAGE_SIZE)
        paginator.count = totals["count"]  # the count is kept with the totals, not scanned again
        page = paginator.get_page(request.GET.get("page"))
        label = _("Private individual / sole proprietorship")
        rows = [queries.public_allocation(a, authority, label=label) for a in page]
        return {"strategy": strategy, "form": form, "totals": totals, "page": page, "rows": rows}

    query = request.GET.copy()
    query.pop("page", None)
    query.update(fixed)
    # Only a focus-area filter reads alignments (`queries.apply_filters`): then the listing is kept per totals version
    # (open data shows no reviewer or origin, so a person accepting a suggestion leaves it), else per allocation
    # version. An invalid focus area is ignored by the form; keeping that listing per totals version is merely early.
    reads_alignments = bool(request.GET.get("focus_area") or fixed.get("focus_area"))
    context = {
        "public_authority": authority,
        **{name: SimpleLazyObject(functools.partial(lambda n: listing()[n], name)) for name in _LISTED},
        "fragment_key": dataversion.fragment_key(
            scope=dataversion.TOTALS if reads_alignments else dataversion.ALLOCATIONS
        ),
        "heading": heading,
        "lead": lead,
        "query": query.urlencode(),
        "fixed": fixed,
    }
    return render(request, "public/list.html", context)


_LISTED = ("strategy", "form", "totals", "page", "rows")


def allocation_list(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = _authority(authority_code)
    return _listing(request, authority, {}, _("Grants from %(name)s") % {"name": authority.name})


def allocation_detail(request: HttpRequest, authority_code: str, external_id: str) -> HttpResponse:
    authority = _authority(authority_code)
    allocation = queries.public_allocations(authority).filter(external_id=external_id).first()
    if allocation is None:
        raise Http404
    strategy = queries.public_strategy(authority)
    areas = []
    if strategy is not None:
        assigned = allocation.alignments.filter(  # type: ignore[attr-defined]
            strategy=strategy, elements__assigned=True, elements__element__kind="focus_area"
        ).values_list("elements__element__code", "elements__element__name", "elements__weight")
        areas = [{"code": c, "name": pick(n), "weight": w} for c, n, w in assigned]
    context = {
        "public_authority": authority,
        "a": queries.public_allocation(allocation, authority, label=_("Private individual / sole proprietorship")),
        "strategy": strategy,
        "areas": areas,
    }
    return render(request, "public/detail.html", context)


def focus_areas(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = _authority(authority_code)
    strategy = queries.public_strategy(authority)
    context = {
        "public_authority": authority,
        "strategy": strategy,
        "rows": queries.focus_area_totals(authority, strategy),
        "totals": queries.totals(queries.public_allocations(authority)),
    }
    return render(request, "public/focus_areas.html", context)


def focus_area(request: HttpRequest, authority_code: str, code: str) -> HttpResponse:
    authority = _authority(authority_code)
    element = get_object_or_404(queries.focus_elements(queries.public_strategy(authority)), code=code)
    lead = pick(element.description)
    return _listing(
        request, authority, {"focus_area": code}, _("Focus area: %(name)s") % {"name": pick(element.name)}, lead
    )


def municipalities(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = _authority(authority_code)
    context = {"public_authority": authority, "rows": queries.municipality_totals(authority)}
    return render(request, "public/municipalities.html", context)


def municipality(request: HttpRequest, authority_code: str, number: str) -> HttpResponse:
    authority = _authority(authority_code)
    place = get_object_or_404(Municipality, number=number)
    return _listing(request, authority, {"municipality": number}, _("Grants to %(name)s") % {"name": place.name})


def _download_queryset(request: HttpRequest, authority: Authority):
    strategy = queries.public_strategy(authority)
    form = PublicFilterForm(request.GET or None, authority=authority, strategy=strategy)
    return queries.apply_filters(queries.public_allocations(authority), form.filters(), strategy).iterator(2000)


def download_csv(request: HttpRequest, authority_code: str) -> StreamingHttpResponse:
    authority = _authority(authority_code)
    base = request.build_absolute_uri("/").rstrip("/")
    lines = exports.csv_lines(_download_queryset(request, authority), authority, base)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="snu-{authority.code}-allocations.csv"'
    return response


def download_360giving(request: HttpRequest, authority_code: str) -> StreamingHttpResponse:
    authority = _authority(authority_code)
    base = request.build_absolute_uri("/").rstrip("/")
    chunks = exports.json_chunks(_download_queryset(request, authority), authority, base)
    response = StreamingHttpResponse(chunks, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="snu-{authority.code}-360giving.json"'
    return response


def about(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = _authority(authority_code)
    return render(request, "public/about.html", {"public_authority": authority})
