from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from snu.lib.money import MoneyError, parse_amount
from snu.plans.models import ActionPlan, Decision, Indicator, Measure, MeasureStatus
from snu.strategy.models import Element, ElementKind, Strategy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = {"rows": 3}


class MoneyField(forms.CharField):
    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in ("", None):
            return None
        try:
            return parse_amount(value)
        except MoneyError as exc:
            raise forms.ValidationError(_("Write an amount in kroner, e.g. 1 500 000.")) from exc


class ElementChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Element) -> str:
        return f"{obj.code} {obj.label} ({obj.get_kind_display()})"


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs=TEXT), required=False)
    strategy = forms.ModelChoiceField(label=_("Strategy"), queryset=Strategy.objects.none())
    elements = ElementChoice(
        label=_("Focus and target areas"),
        queryset=Element.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The plan serves one or more focus or target areas."),
    )
    period_from = forms.IntegerField(label=_("Period from (year)"), min_value=2000, max_value=2100)
    period_to = forms.IntegerField(label=_("Period to (year)"), min_value=2000, max_value=2100)
    cadence_months = forms.TypedChoiceField(
        label=_("Revise every"),
        coerce=int,
        choices=[(3, _("3 months")), (6, _("6 months")), (12, _("12 months")), (24, _("24 months"))],
        initial=12,
    )
    owner = forms.CharField(label=_("Responsible"), max_length=200, required=False)

    def __init__(self, *args: Any, authority: Any, plan: ActionPlan | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        strategies = Strategy.objects.filter(authority=authority)
        self.fields["strategy"].queryset = strategies  # type: ignore[attr-defined]
        kinds = [ElementKind.FOCUS_AREA, ElementKind.TARGET_AREA]
        elements = Element.objects.filter(strategy__in=strategies, kind__in=kinds).select_related("strategy")
        if plan is not None:
            elements = elements.filter(strategy=plan.strategy)
            self.fields["strategy"].disabled = True
        self.fields["elements"].queryset = elements.order_by("strategy", "kind", "order")  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, plan: ActionPlan) -> dict:
        initial = {
            f: getattr(plan, f) for f in ("name", "description", "period_from", "period_to", "cadence_months", "owner")
        }
        initial["strategy"] = plan.strategy_id
        initial["elements"] = list(plan.elements.values_list("pk", flat=True))
        return initial

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("period_from") and data.get("period_to") and data["period_to"] < data["period_from"]:
            self.add_error("period_to", _("The period cannot end before it starts."))
        strategy = data.get("strategy")
        if strategy and any(e.strategy_id != strategy.pk for e in data.get("elements", [])):
            self.add_error("elements", _("Choose areas of the plan's strategy."))
        return data


class MeasureForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    code = forms.CharField(
        label=_("Number"), max_length=20, required=False, help_text=_("Left empty: the next free number")
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs=TEXT), required=False)
    owner = forms.CharField(label=_("Responsible"), max_length=200, required=False)
    partners_text = forms.CharField(
        label=_("Partners"), max_length=500, required=False, help_text=_("Partners taking part, in words")
    )
    budget = MoneyField(label=_("Budget (kr)"), required=False)
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=DATE)
    elements = ElementChoice(
        label=_("Focus areas and drivers"),
        queryset=Element.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)
    status_comment = forms.CharField(label=_("Status comment"), widget=forms.Textarea(attrs=TEXT), required=False)
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        widget=forms.Textarea(attrs=TEXT),
        required=False,
        help_text=_("Why this measure is added or changed in this revision"),
    )

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["elements"].queryset = plan.strategy.elements.exclude(  # type: ignore[attr-defined]
            kind=ElementKind.ADVANTAGE
        ).order_by("kind", "order")

    @classmethod
    def initial_for(cls, measure: Measure) -> dict:
        initial = {f: getattr(measure, f) for f in cls.base_fields if f not in ("elements",)}
        initial["elements"] = list(measure.elements.values_list("pk", flat=True))
        return initial

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The measure cannot end before it starts."))
        return data

    def values(self) -> dict:
        d = dict(self.cleaned_data)
        d.pop("version", None)
        d.pop("elements", None)
        if d.get("status_comment") != self.initial.get("status_comment") or d.get("status") != self.initial.get(
            "status"
        ):
            d["status_date"] = timezone.localdate()
        return d


class StopForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(label=_("Why is the measure stopped?"), widget=forms.Textarea(attrs=TEXT))


class StatusReportForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)
    comment = forms.CharField(label=_("Status comment"), widget=forms.Textarea(attrs=TEXT), required=False)
    reported_on = forms.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)


class EvaluationForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    what_was_done = forms.CharField(label=_("What was done?"), widget=forms.Textarea(attrs=TEXT))
    what_happened = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs=TEXT),
        required=False,
        help_text=_("Results, indicator values, money and what partners told us"),
    )
    what_we_learned = forms.CharField(label=_("What did we learn?"), widget=forms.Textarea(attrs=TEXT))
    decision = forms.ChoiceField(
        label=_("Decision for the next revision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    decision_note = forms.CharField(label=_("Why this decision?"), widget=forms.Textarea(attrs=TEXT), required=False)


class AdoptForm(forms.Form):
    adopted_on = forms.DateField(label=_("Adopted on"), widget=DATE, initial=timezone.localdate)
    decision_reference = forms.CharField(
        label=_("Decision reference"), max_length=200, help_text=_("E.g. the case number of the political decision")
    )
    summary = forms.CharField(label=_("Summary of the revision"), widget=forms.Textarea(attrs=TEXT), required=False)

    def clean_adopted_on(self) -> dt.date:
        day = self.cleaned_data["adopted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The adoption date cannot be in the future."))
        return day


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    unit = forms.CharField(label=_("Unit"), max_length=60, help_text=_("E.g. number, kr, tonnes, %"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Indicator.Kind.choices)
    elements = ElementChoice(
        label=_("Areas counted"),
        queryset=Element.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For computed indicators: allocations aligned to these areas are counted."),
    )
    measure_key = forms.ChoiceField(label=_("Follows measure"), required=False)
    baseline = forms.DecimalField(label=_("Baseline"), required=False, localize=True, decimal_places=2)
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False, min_value=2000, max_value=2100)
    target = forms.DecimalField(label=_("Target"), required=False, localize=True, decimal_places=2)
    target_year = forms.IntegerField(label=_("Target year"), required=False, min_value=2000, max_value=2100)
    direction = forms.ChoiceField(label=_("Direction"), choices=Indicator.Direction.choices)

    def __init__(self, *args: Any, plan: ActionPlan, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["elements"].queryset = plan.strategy.elements.exclude(  # type: ignore[attr-defined]
            kind=ElementKind.ADVANTAGE
        ).order_by("kind", "order")
        revision = plan.draft() or plan.adopted()
        measures = revision.measures.all() if revision else []
        self.fields["measure_key"].choices = [("", _("The whole plan"))] + [  # type: ignore[attr-defined]
            (str(m.key), str(m)) for m in measures
        ]

    @classmethod
    def initial_for(cls, indicator: Indicator) -> dict:
        initial = {f: getattr(indicator, f) for f in cls.base_fields if f != "elements"}
        initial["measure_key"] = str(indicator.measure_key or "")
        initial["elements"] = list(indicator.elements.values_list("pk", flat=True))
        return initial

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("kind") != Indicator.Kind.ENTERED and not data.get("elements"):
            self.add_error("elements", _("A computed indicator needs at least one area."))
        return data

    def values(self) -> dict:
        d = dict(self.cleaned_data)
        d.pop("elements", None)
        d["measure_key"] = d.get("measure_key") or None
        return d


class IndicatorValueForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    value = forms.DecimalField(label=_("Value"), localize=True, decimal_places=2)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("Proposal"), widget=forms.Textarea(attrs=TEXT), required=False)
    source_label = forms.CharField(label=_("Source"), max_length=200, required=False)
    source_url = forms.URLField(label=_("Source address"), max_length=500, required=False, assume_scheme="https")


class SummaryForm(forms.Form):
    summary = forms.CharField(label=_("Summary of the revision"), widget=forms.Textarea(attrs=TEXT), required=False)
