from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from snu.strategy.models import Element, ElementKind, Strategy

LANG_LABELS = {"nb": _("bokmål"), "nn": _("nynorsk"), "en": _("English")}


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class StrategyForm(forms.Form):
    name_nb = forms.CharField(label=_("Name (bokmål)"), max_length=300)
    name_nn = forms.CharField(label=_("Name (nynorsk)"), max_length=300, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
    period_from = forms.IntegerField(label=_("Period from (year)"), min_value=1900, max_value=2200)
    period_to = forms.IntegerField(label=_("Period to (year)"), min_value=1900, max_value=2200)
    status = forms.ChoiceField(label=_("Status"), choices=Strategy.Status.choices)

    @classmethod
    def for_strategy(cls, strategy: Strategy, data: Any = None) -> StrategyForm:
        initial = {f"name_{lang}": strategy.name.get(lang, "") for lang in LANG_LABELS}
        initial.update(period_from=strategy.period_from, period_to=strategy.period_to, status=strategy.status)
        return cls(data=data, initial=initial)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("period_from") and data.get("period_to") and data["period_to"] < data["period_from"]:
            self.add_error("period_to", _("The period cannot end before it starts."))
        return data

    def values(self) -> dict:
        d = self.cleaned_data
        name = {lang: d[f"name_{lang}"] for lang in LANG_LABELS if d.get(f"name_{lang}")}
        return {
            "name": name,
            "period_from": d["period_from"],
            "period_to": d["period_to"],
            "status": d["status"],
        }


class ElementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ElementKind.choices)
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^[A-Za-z0-9_\-ÆØÅæøå]{1,30}$",
        help_text=_("Short and unique within the strategy, e.g. OPP"),
        error_messages={"invalid": _("Use letters, digits, - and _ only (at most 30).")},
    )
    name_nb = forms.CharField(label=_("Name (bokmål)"), max_length=300)
    name_nn = forms.CharField(label=_("Name (nynorsk)"), max_length=300, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
    description_nb = forms.CharField(
        label=_("Description (bokmål)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    parent = forms.ModelChoiceField(label=_("Parent element"), queryset=Element.objects.none(), required=False)
    related = forms.ModelMultipleChoiceField(
        label=_("Related elements"),
        queryset=Element.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    keywords_nb = forms.CharField(
        label=_("Keywords (bokmål)"),
        required=False,
        help_text=_("Separated by commas"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    keywords_en = forms.CharField(
        label=_("Keywords (English)"),
        required=False,
        help_text=_("Separated by commas"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    industry_codes = forms.CharField(
        label=_("Industry codes (NACE prefixes)"),
        required=False,
        help_text=_("Separated by commas, e.g. 55, 79"),
    )
    target_share = forms.DecimalField(
        label=_("Target share of money (%)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        localize=True,
    )

    def __init__(self, *args: object, strategy: Strategy, element: Element | None = None, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.strategy, self.element = strategy, element
        others = strategy.elements.exclude(pk=element.pk) if element else strategy.elements.all()
        self.fields["parent"].queryset = others  # type: ignore[attr-defined]
        self.fields["related"].queryset = others  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, element: Element) -> dict:
        initial: dict[str, Any] = {"kind": element.kind, "code": element.code, "parent": element.parent_id}
        for lang in LANG_LABELS:
            initial[f"name_{lang}"] = element.name.get(lang, "")
        for lang in ("nb", "en"):
            initial[f"description_{lang}"] = element.description.get(lang, "")
            initial[f"keywords_{lang}"] = ", ".join(element.keywords.get(lang, []))
        initial["related"] = list(element.related.values_list("pk", flat=True))
        initial["industry_codes"] = ", ".join(element.industry_codes)
        share = element.target_share
        initial["target_share"] = (share * 100).quantize(Decimal("0.01")).normalize() if share is not None else None
        return initial

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        clash = self.strategy.elements.filter(code=code)
        if self.element:
            clash = clash.exclude(pk=self.element.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("Another element of this strategy already has the code %(code)s."), params={"code": code}
            )
        return code

    def apply(self, element: Element) -> Element:
        d = self.cleaned_data
        element.kind, element.code, element.parent = d["kind"], d["code"], d["parent"]
        element.name = {lang: d[f"name_{lang}"] for lang in LANG_LABELS if d.get(f"name_{lang}")}
        element.description = {lang: d[f"description_{lang}"] for lang in ("nb", "en") if d.get(f"description_{lang}")}
        element.keywords = {lang: _split(d[f"keywords_{lang}"]) for lang in ("nb", "en") if d.get(f"keywords_{lang}")}
        element.industry_codes = _split(d["industry_codes"])
        element.target_share = d["target_share"] / 100 if d["target_share"] is not None else None
        return element
