from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from snu.core.permissions import advisor_required, owned_or_404, reader_required
from snu.lib.i18n import pick
from snu.partners import actions, brreg, queries
from snu.partners.csvimport import PartnerImportError
from snu.partners.forms import AgreementForm, ArenaActivityForm, ArenaForm, PartnerForm, PartnerImportForm
from snu.partners.models import Agreement, Arena, ArenaKind, Partner, PartnerType
from snu.strategy.queries import strategies_for


def _auth(request: HttpRequest) -> Any:
    """The request's authority (set by AuthorityMiddleware)."""
    return request.authority  # type: ignore[attr-defined]


def _owned(queryset: Any, request: HttpRequest, **lookup: Any) -> Any:
    return owned_or_404(queryset, request, **lookup)


def _csv(filename: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _edit(request: HttpRequest, form_class: type, instance: Any, save: Any, template: str, extra: dict) -> HttpResponse:
    """The shared create/edit flow: bound form → action → redirect to the saved object."""
    form = form_class(request.POST or None, instance=instance, authority=_auth(request))
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.authority = _auth(request)
        saved = save(request.user, obj, **form.links())
        messages.success(request, _("Saved."))
        return redirect(saved)
    return render(request, template, {"form": form, "object": instance if instance.pk else None, **extra})


# --- partners ---------------------------------------------------------------------------------


@reader_required
def index(request: HttpRequest) -> HttpResponse:
    partners = queries.partners_for(_auth(request)).prefetch_related("focus_areas")
    kind, q = request.GET.get("type", ""), request.GET.get("q", "").strip()
    if kind in PartnerType.values:
        partners = partners.filter(partner_type=kind)
    if q:
        partners = partners.filter(Q(name__icontains=q) | Q(org_number__icontains=q.replace(" ", "")))
    totals = queries.money_by_partner(_auth(request))
    rows: list[dict[str, Any]] = [{"partner": p, "received": totals.get(p.pk, queries.ZERO)} for p in partners]
    if request.GET.get("format") == "csv":
        return _csv(
            "partners.csv",
            ["name", "org_number", "type", "focus_areas", "received"],
            [
                [
                    r["partner"].name,
                    r["partner"].org_number,
                    r["partner"].partner_type,
                    ";".join(e.code for e in r["partner"].focus_areas.all()),
                    r["received"],
                ]
                for r in rows
            ],
        )
    context = {"rows": rows, "types": PartnerType.choices, "type": kind, "q": q}
    return render(request, "partners/index.html", context)


@reader_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _owned(Partner.objects.all(), request, pk=pk)
    context = {
        "partner": partner,
        "money": queries.money_received(partner),
        "allocations": queries.allocations_for(partner).select_related("scheme")[:100],
        "arenas": partner.arenas.all(),
        "agreements": partner.agreements.all(),
        "measures": partner.measures.select_related("revision__plan"),
        "brreg_enabled": brreg.BrregClient.from_settings().enabled,
    }
    return render(request, "partners/partner.html", context)


@advisor_required
def partner_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    partner = _owned(Partner.objects.all(), request, pk=pk) if pk else Partner()
    return _edit(request, PartnerForm, partner, actions.save_partner, "partners/partner_edit.html", {})


@advisor_required
def partner_delete(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _owned(Partner.objects.all(), request, pk=pk)
    if request.method == "POST":
        actions.delete_partner(request.user, partner)
        messages.success(request, _("The partner was deleted."))
        return redirect("partners:index")
    return render(request, "partners/confirm_delete.html", {"object": partner, "cancel": partner.get_absolute_url()})


@advisor_required
@require_POST
def partner_fill(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _owned(Partner.objects.all(), request, pk=pk)
    try:
        filled = actions.fill_from_register(request.user, partner)
    except (brreg.BrregError, ValidationError) as exc:
        messages.error(request, str(exc))
    else:
        if filled:
            messages.success(request, _("Filled from Enhetsregisteret: %(fields)s.") % {"fields": ", ".join(filled)})
        else:
            messages.info(request, _("Nothing to fill: the fields already have values."))
    return redirect(partner)


@advisor_required
def partner_import(request: HttpRequest) -> HttpResponse:
    form = PartnerImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.import_partners(request.user, _auth(request), form.cleaned_data["file"].read())
        except PartnerImportError as exc:
            problems = exc.problems
        else:
            messages.success(
                request,
                _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
            )
            return redirect("partners:index")
    return render(request, "partners/import.html", {"form": form, "problems": problems})


# --- arenas -----------------------------------------------------------------------------------


@reader_required
def arena_list(request: HttpRequest) -> HttpResponse:
    arenas = (
        queries.arenas_for(_auth(request))
        .select_related("coordinator")
        .prefetch_related("focus_areas")
        .annotate(member_count=Count("members", distinct=True))
    )
    return render(request, "partners/arena_list.html", {"arenas": arenas, "kinds": ArenaKind})


@reader_required
def arena_detail(request: HttpRequest, pk: int) -> HttpResponse:
    arena = _owned(Arena.objects.select_related("coordinator"), request, pk=pk)
    form = ArenaActivityForm()
    return render(request, "partners/arena.html", {"arena": arena, "activity_form": form})


@advisor_required
def arena_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    arena = _owned(Arena.objects.all(), request, pk=pk) if pk else Arena()
    return _edit(request, ArenaForm, arena, actions.save_arena, "partners/arena_edit.html", {})


@advisor_required
def arena_delete(request: HttpRequest, pk: int) -> HttpResponse:
    arena = _owned(Arena.objects.all(), request, pk=pk)
    if request.method == "POST":
        actions.delete_arena(request.user, arena)
        messages.success(request, _("The arena was deleted."))
        return redirect("partners:arenas")
    return render(request, "partners/confirm_delete.html", {"object": arena, "cancel": arena.get_absolute_url()})


@advisor_required
@require_POST
def arena_activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    arena = _owned(Arena.objects.all(), request, pk=pk)
    form = ArenaActivityForm(request.POST)
    if form.is_valid():
        actions.add_arena_activity(request.user, arena, **form.cleaned_data)
        messages.success(request, _("The activity was added."))
        return redirect(arena)
    return render(request, "partners/arena.html", {"arena": arena, "activity_form": form}, status=400)


@advisor_required
@require_POST
def arena_activity_delete(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    arena = _owned(Arena.objects.all(), request, pk=pk)
    activity = get_object_or_404(arena.activities, pk=activity_pk)
    actions.delete_arena_activity(request.user, activity)
    messages.success(request, _("The activity was removed."))
    return redirect(arena)


# --- agreements -------------------------------------------------------------------------------


@reader_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    agreements = queries.agreements_for(_auth(request)).prefetch_related("parties")
    return render(request, "partners/agreement_list.html", {"agreements": agreements})


@reader_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _owned(Agreement.objects.all(), request, pk=pk)
    measures = agreement.measures.select_related("revision__plan")
    return render(request, "partners/agreement.html", {"agreement": agreement, "measures": measures})


@advisor_required
def agreement_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    agreement = _owned(Agreement.objects.all(), request, pk=pk) if pk else Agreement()
    return _edit(request, AgreementForm, agreement, actions.save_agreement, "partners/agreement_edit.html", {})


@advisor_required
def agreement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _owned(Agreement.objects.all(), request, pk=pk)
    if request.method == "POST":
        actions.delete_agreement(request.user, agreement)
        messages.success(request, _("The agreement was deleted."))
        return redirect("partners:agreements")
    return render(
        request, "partners/confirm_delete.html", {"object": agreement, "cancel": agreement.get_absolute_url()}
    )


# --- coverage and network ---------------------------------------------------------------------


@reader_required
def coverage(request: HttpRequest) -> HttpResponse:
    strategy = queries.focus_strategy(_auth(request), request.GET.get("strategy"))
    rows = queries.coverage(_auth(request), strategy)
    if request.GET.get("format") == "csv":
        return _csv(
            "coverage.csv",
            ["focus_area", "partners", "arenas", "agreements"],
            [[pick(r["element"].name), len(r["partners"]), len(r["arenas"]), len(r["agreements"])] for r in rows],
        )
    context = {
        "strategy": strategy,
        "strategies": strategies_for(_auth(request)),
        "rows": rows,
        "warnings": queries.concentration_warnings(_auth(request), strategy),
    }
    return render(request, "partners/coverage.html", context)


@reader_required
def network_view(request: HttpRequest) -> HttpResponse:
    graph = queries.partner_network(_auth(request))
    if request.GET.get("format") == "csv":
        return _csv(
            "partner-network.csv",
            ["partner", "connections", "betweenness", "group", "connects_groups"],
            [
                [n["name"], n["degree"], f"{n['betweenness']:.4f}", n["group"], n["is_cut_point"]]
                for n in graph["nodes"]
            ],
        )
    return render(request, "partners/network.html", {"graph": graph})
