from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from snu.classify import actions, queries
from snu.classify.forms import BulkAcceptForm, DecisionForm
from snu.classify.models import Alignment
from snu.core.permissions import advisor_required, owned_or_404, reader_required
from snu.grants.models import Allocation
from snu.lib.i18n import pick
from snu.strategy.models import Strategy
from snu.strategy.queries import current_strategy, strategies_for

QUEUE_SIZE = 20
PER_PAGE = 50  # an element's allocations


class Window:
    """One page of a long ordered list, without counting the list: one row more than is shown says whether
    there is a next page."""

    def __init__(self, queryset: QuerySet, number: str | None, per_page: int):
        self.number = self.page_number(number)
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.object_list = rows[:per_page]
        self.has_next = len(rows) > per_page
        self.has_previous = self.number > 1
        self.has_other_pages = self.has_next or self.has_previous
        self.next_page_number = self.number + 1
        self.previous_page_number = self.number - 1

    @staticmethod
    def page_number(number: str | None) -> int:
        try:
            return max(1, int(number or 1))
        except ValueError:
            return 1


def _strategy(request: HttpRequest) -> Strategy:
    code = request.GET.get("strategy") or request.POST.get("strategy")
    if code:
        return owned_or_404(Strategy.objects.all(), request, code=code)  # type: ignore[return-value]
    strategy = current_strategy(request.authority)  # type: ignore[attr-defined]
    if strategy is None:
        raise Http404
    return strategy


def _queue_url(strategy: Strategy) -> str:
    return f"{reverse('classify:review')}?strategy={strategy.code}"


@advisor_required
def review(request: HttpRequest) -> HttpResponse:
    strategy = _strategy(request)

    @functools.cache
    def items() -> list[dict]:
        # Called by the template only when the queue is not kept ({% keep %} in review.html).
        elements = list(strategy.elements.order_by("order", "code"))
        memo: dict = {}
        return [
            {"form": DecisionForm(alignment=a, elements=elements), "x": queries.explained(a, similar=2, memo=memo)}
            for a in queries.review_queue(strategy, QUEUE_SIZE)
        ]

    context = {
        "strategy": strategy,
        "strategies": strategies_for(request.authority),  # type: ignore[attr-defined]
        "items": items,
        "progress": queries.progress(strategy),
        "groups": queries.high_confidence_groups(strategy),
        "threshold": queries.HIGH_CONFIDENCE,
    }
    return render(request, "classify/review.html", context)


@advisor_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept (form submitted as suggested) or correct (anything changed) one alignment."""
    alignment = get_object_or_404(
        Alignment.objects.select_related("strategy", "allocation", "primary"),
        pk=pk,
        strategy__authority=request.authority,  # type: ignore[attr-defined]
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = ""
    back = back or _queue_url(alignment.strategy)
    if request.method != "POST":
        return redirect(back)
    form = DecisionForm(request.POST, alignment=alignment)
    if not form.is_valid():
        messages.error(request, _("The decision could not be saved: choose a primary focus area."))
        return redirect(back)
    title = alignment.allocation.title or alignment.allocation.recipient_name or alignment.allocation.external_id
    try:
        if form.is_unchanged():
            actions.confirm_alignment(request.user, alignment, expected_version=form.cleaned_data["version"])
            messages.success(request, _("Accepted: %(title)s.") % {"title": title})
        else:
            actions.correct_alignment(
                request.user, alignment, expected_version=form.cleaned_data["version"], **form.decision()
            )
            messages.success(request, _("Changed: %(title)s.") % {"title": title})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(back)


@advisor_required
def bulk_accept(request: HttpRequest) -> HttpResponse:
    strategy = _strategy(request)
    code = request.GET.get("primary") or request.POST.get("primary", "")
    element = get_object_or_404(strategy.elements, code=code, kind="focus_area")
    group = queries.high_confidence_group(strategy, code)
    form = BulkAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        count = actions.bulk_confirm_alignments(request.user, list(group))
        messages.success(
            request, _("%(count)s suggestions accepted for %(name)s.") % {"count": count, "name": pick(element.name)}
        )
        return redirect(_queue_url(strategy))
    context = {"strategy": strategy, "element": element, "sample": group[:25], "count": group.count(), "form": form}
    return render(request, "classify/bulk_accept.html", context)


@reader_required
def allocation(request: HttpRequest, pk: int) -> HttpResponse:
    """An allocation's alignment to every strategy, with the why (for when grants has no page of its own)."""
    obj = owned_or_404(Allocation.objects.all(), request, pk=pk)
    from snu.classify.allocation_panels import panels

    return render(request, "classify/allocation.html", {"allocation": obj, "panels": panels(request, obj)})  # type: ignore[arg-type]


@reader_required
def element_allocations(request: HttpRequest, code: str, element_code: str) -> HttpResponse:
    strategy = owned_or_404(Strategy.objects.all(), request, code=code)
    element = get_object_or_404(strategy.elements, code=element_code)  # type: ignore[attr-defined]

    @functools.cache
    def page() -> Window:
        # Read only when the list is not kept ({% keep %} in the template). Not counted: at a million
        # allocations nearly every one has some score for a focus area, and counting them took most of a second
        # after every review decision.
        return Window(queries.element_allocations(element), request.GET.get("page"), PER_PAGE)

    totals = functools.cache(lambda: queries.element_totals(element))

    def kept_rows() -> tuple:
        # The list is kept under the totals version and the state of the rows it shows (one more says if there is
        # a next page), so a person accepting a suggestion elsewhere leaves it standing.
        number = Window.page_number(request.GET.get("page"))
        return queries.element_rows_stamp(element, (number - 1) * PER_PAGE, number * PER_PAGE + 1)

    context = {"strategy": strategy, "element": element, "page": page, "totals": totals, "kept_rows": kept_rows}
    return render(request, "classify/element_allocations.html", context)
