"""Thin views: pick a report, preview it, download it in four formats, and (advisors) edit its texts."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from snu.analytics import queries as analytics
from snu.core.permissions import advisor_required, can_edit, reader_required
from snu.reports import actions, forms, queries, texts
from snu.reports.builder import build_report, pick_strategy
from snu.reports.models import REPORT_LANGUAGES
from snu.reports.render import FORMATS
from snu.reports.render import render as render_report

LANGUAGES = dict(REPORT_LANGUAGES)


def _scope(request: HttpRequest, year: int) -> tuple:
    code = request.GET.get("strategy") or None
    strategy = pick_strategy(request.authority, year, code)  # type: ignore[attr-defined]
    if code and strategy is None:
        raise Http404
    language = request.GET.get("language", "nb")
    return strategy, (language if language in LANGUAGES else "nb")


def _query(strategy, language: str, explicit: bool) -> str:
    params = {"language": language}
    if explicit and strategy is not None:
        params["strategy"] = strategy.code
    return urlencode(params)


@reader_required
def index(request: HttpRequest) -> HttpResponse:
    years = queries.report_years(request.authority)  # type: ignore[attr-defined]
    strategies = analytics.strategies(request.authority)  # type: ignore[attr-defined]
    form = forms.ReportChoiceForm(request.GET or None, years=years, strategies=strategies)
    chosen = None
    if years:
        year = form.cleaned_data["year"] if form.is_valid() else years[0]
        strategy, language = _scope(request, year)
        query = _query(strategy, language, bool(request.GET.get("strategy")))
        chosen = {
            "year": year,
            "strategy": strategy,
            "language": LANGUAGES[language],
            "query": query,
            "formats": [(f, reverse("reports:download", args=[year, f]) + "?" + query) for f in FORMATS],
        }
    context = {"form": form, "chosen": chosen, "years": years, "can_edit": can_edit(request)}
    return render(request, "reports/index.html", context)


@reader_required
def preview(request: HttpRequest, year: int) -> HttpResponse:
    strategy, language = _scope(request, year)
    report = build_report(request.authority, year, strategy, language)  # type: ignore[attr-defined]
    from snu.reports.html import prepare

    query = _query(strategy, language, bool(request.GET.get("strategy")))
    context = {
        "report": prepare(report),
        "year": year,
        "query": query,
        "can_edit": can_edit(request),
        "formats": [(f, reverse("reports:download", args=[year, f]) + "?" + query) for f in FORMATS],
    }
    return render(request, "reports/preview.html", context)


@reader_required
def download(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    strategy, language = _scope(request, year)
    report = build_report(request.authority, year, strategy, language)  # type: ignore[attr-defined]
    body, content_type, name = render_report(report, fmt)
    response = HttpResponse(body, content_type=content_type)
    disposition = "inline" if fmt in ("html", "pdf") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@advisor_required
def edit_texts(request: HttpRequest, year: int) -> HttpResponse:
    _strategy, language = _scope(request, year)
    current = queries.current_texts(request.authority, year, language)  # type: ignore[attr-defined]
    form = forms.ReportTextsForm(request.POST or None, current=current)
    authority = request.authority  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        for key in texts.SECTIONS:
            actions.save_report_text(
                request.user,
                authority,
                year=year,
                section=key,
                language=language,
                body=form.cleaned_data[key],
            )
        messages.success(request, _("The report texts are saved."))
        return redirect(reverse("reports:texts", args=[year]) + "?" + urlencode({"language": language}))
    context = {
        "form": form,
        "year": year,
        "language": language,
        "language_label": LANGUAGES[language],
        "placeholders": texts.PLACEHOLDERS,
        "edited": queries.edited_sections(authority, year, language),
    }
    return render(request, "reports/texts.html", context)
