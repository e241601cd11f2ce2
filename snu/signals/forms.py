from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from snu.core.models import Authority
from snu.lib.i18n import pick
from snu.partners.forms import https_urls
from snu.signals.models import Signal
from snu.strategy.models import Element, ElementKind, Strategy


class ElementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Element) -> str:  # type: ignore[override]
        return f"{pick(obj.name)} ({obj.strategy.code})"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:  # type: ignore[override]
        return obj.get_full_name() or obj.get_username()


def _elements(authority: Authority, kind: str) -> Any:
    return (
        Element.objects.filter(strategy__authority=authority, kind=kind)
        .exclude(strategy__status=Strategy.Status.ARCHIVED)
        .select_related("strategy")
        .order_by("-strategy__period_from", "order", "code")
    )


class SignalForm(forms.ModelForm):
    drivers = ElementChoiceField(
        label=_("Drivers"), queryset=Element.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    focus_areas = ElementChoiceField(
        label=_("Focus areas"), queryset=Element.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    owner = OwnerChoiceField(label=_("Owner"), queryset=get_user_model().objects.none(), required=False)

    class Meta:
        model = Signal
        formfield_callback = https_urls
        fields = [
            "title",
            "kind",
            "description",
            "source_title",
            "source_url",
            "source_date",
            "horizon",
            "strength",
            "so_what",
            "owner",
            "review_date",
            "is_archived",
        ]
        help_texts = {
            "so_what": _("What the signal means for the county and its strategy."),
            "source_title": _("For example a review, a white paper or a report."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "so_what": forms.Textarea(attrs={"rows": 3}),
            "source_date": forms.DateInput(attrs={"type": "date"}),
            "review_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["drivers"].queryset = _elements(authority, ElementKind.DRIVER)  # type: ignore[attr-defined]
        self.fields["focus_areas"].queryset = _elements(authority, ElementKind.FOCUS_AREA)  # type: ignore[attr-defined]
        self.fields["owner"].queryset = get_user_model().objects.filter(  # type: ignore[attr-defined]
            membership__authority=authority
        )
        if self.instance.pk:
            self.initial["drivers"] = list(self.instance.drivers.values_list("pk", flat=True))
            self.initial["focus_areas"] = list(self.instance.focus_areas.values_list("pk", flat=True))

    def links(self) -> dict:
        return {"drivers": self.cleaned_data["drivers"], "focus_areas": self.cleaned_data["focus_areas"]}


class ReviewForm(forms.Form):
    next_review = forms.DateField(
        label=_("Next review"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for six months from today."),
    )


class ProposalForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Action plan"), queryset=None)  # type: ignore[arg-type]
    text = forms.CharField(
        label=_("Proposal"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("What should change in the plan? Leave empty to use the signal's description and 'so what'."),
    )

    def __init__(self, *args: Any, plans: list, **kwargs: Any):
        super().__init__(*args, **kwargs)
        model = type(plans[0]) if plans else None
        if model is not None:
            self.fields["plan"].queryset = model.objects.filter(pk__in=[p.pk for p in plans])  # type: ignore[attr-defined]
