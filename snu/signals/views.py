from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from snu.core.permissions import advisor_required, owned_or_404, reader_required
from snu.signals import actions, queries
from snu.signals.forms import ProposalForm, ReviewForm, SignalForm
from snu.signals.models import Signal, SignalKind
from snu.strategy.queries import current_strategy, strategies_for


def _auth(request: HttpRequest) -> Any:
    """The request's authority (set by AuthorityMiddleware)."""
    return request.authority  # type: ignore[attr-defined]


def _owned(queryset: Any, request: HttpRequest, **lookup: Any) -> Any:
    return owned_or_404(queryset, request, **lookup)


@reader_required
def index(request: HttpRequest) -> HttpResponse:
    authority = _auth(request)
    code = request.GET.get("strategy")
    strategy = strategies_for(authority).filter(code=code).first() if code else current_strategy(authority)
    signals = queries.signals_for(authority).select_related("owner").prefetch_related("drivers", "focus_areas")
    kind = request.GET.get("kind", "")
    if kind in SignalKind.values:
        signals = signals.filter(kind=kind)
    if request.GET.get("archived") != "1":
        signals = signals.filter(is_archived=False)
    context = {
        "signals": signals,
        "grid": queries.overview(authority, strategy, signals),
        "strategy": strategy,
        "strategies": strategies_for(authority),
        "kinds": SignalKind.choices,
        "kind": kind,
    }
    return render(request, "signals/index.html", context)


@reader_required
def signal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    signal = _owned(Signal.objects.select_related("owner"), request, pk=pk)
    plans = queries.plans_for(_auth(request)) if actions.proposals_available() else []
    context = {
        "signal": signal,
        "review_form": ReviewForm(),
        "proposal_form": ProposalForm(plans=plans) if plans else None,
    }
    return render(request, "signals/signal.html", context)


@advisor_required
def signal_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    signal = _owned(Signal.objects.all(), request, pk=pk) if pk else Signal()
    form = SignalForm(request.POST or None, instance=signal, authority=_auth(request))
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.authority = _auth(request)
        saved = actions.save_signal(request.user, obj, **form.links())
        messages.success(request, _("The signal was saved."))
        return redirect(saved)
    return render(request, "signals/signal_edit.html", {"form": form, "object": signal if signal.pk else None})


@advisor_required
def signal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    signal = _owned(Signal.objects.all(), request, pk=pk)
    if request.method == "POST":
        actions.delete_signal(request.user, signal)
        messages.success(request, _("The signal was deleted."))
        return redirect("signals:index")
    return render(request, "signals/confirm_delete.html", {"object": signal})


@advisor_required
@require_POST
def signal_review(request: HttpRequest, pk: int) -> HttpResponse:
    signal = _owned(Signal.objects.all(), request, pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        actions.review_signal(request.user, signal, next_review=form.cleaned_data["next_review"])
        messages.success(request, _("The signal is marked as reviewed."))
    else:
        messages.error(request, _("The date of the next review is not valid."))
    return redirect(signal)


@advisor_required
@require_POST
def signal_propose(request: HttpRequest, pk: int) -> HttpResponse:
    signal = _owned(Signal.objects.all(), request, pk=pk)
    plans = queries.plans_for(_auth(request)) if actions.proposals_available() else []
    form = ProposalForm(request.POST, plans=plans)
    if not plans or not form.is_valid():
        messages.error(request, _("Choose an action plan."))
        return redirect(signal)
    plan = form.cleaned_data["plan"]
    actions.raise_revision_proposal(
        request.user,
        signal,
        plan,
        text=form.cleaned_data["text"],
        url=request.build_absolute_uri(signal.get_absolute_url()),
    )
    messages.success(request, _("A proposal was raised on the next revision of %(plan)s.") % {"plan": plan})
    return redirect(signal)
