from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from snu.core.models import Authority
from snu.lib.i18n import pick
from snu.lib.orgnr import OrgNumberError, normalise_org_number
from snu.partners.models import Agreement, Arena, ArenaActivity, Partner
from snu.plans.models import Measure
from snu.strategy.models import Element, ElementKind, Strategy


class ElementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Element) -> str:  # type: ignore[override]
        return f"{pick(obj.name)} ({obj.strategy.code})"


def focus_area_field() -> ElementChoiceField:
    return ElementChoiceField(
        label=_("Focus areas"),
        queryset=Element.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def focus_areas_of(authority: Authority) -> Any:
    return (
        Element.objects.filter(strategy__authority=authority, kind=ElementKind.FOCUS_AREA)
        .exclude(strategy__status=Strategy.Status.ARCHIVED)
        .select_related("strategy")
        .order_by("-strategy__period_from", "order", "code")
    )


class MeasureChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:  # type: ignore[override]
        return f"{obj.revision.plan.name}: {obj}"


def measure_field() -> forms.ModelMultipleChoiceField:
    return MeasureChoiceField(
        label=_("Measures"), queryset=Measure.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )


def measures_of(authority: Authority) -> Any:
    """Each measure once, as it stands in the newest revision of its plan."""
    newest: dict[Any, int] = {}
    rows = Measure.objects.filter(revision__plan__authority=authority).order_by("key", "-revision__number")
    for pk, key in rows.values_list("pk", "key"):
        newest.setdefault(key, pk)
    return (
        Measure.objects.filter(pk__in=newest.values())
        .select_related("revision__plan")
        .order_by("revision__plan__name", "order", "code")
    )


def https_urls(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Model URL fields become form fields that assume https:// when the scheme is left out."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class AuthorityModelForm(forms.ModelForm):
    m2m_names: tuple[str, ...] = ()

    def __init__(self, *args: Any, authority: Authority, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.authority = authority
        if "focus_areas" in self.fields:
            self.fields["focus_areas"].queryset = focus_areas_of(authority)  # type: ignore[attr-defined]
        if self.instance.pk:
            for name in self.m2m_names:
                if name in self.fields:
                    self.initial[name] = list(getattr(self.instance, name).values_list("pk", flat=True))

    def links(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.m2m_names if name in self.cleaned_data}


def _add_measures(form: AuthorityModelForm) -> None:
    field = measure_field()
    form.fields["measures"] = field
    field.queryset = measures_of(form.authority)
    if form.instance.pk:
        form.initial["measures"] = list(form.instance.measures.values_list("pk", flat=True))  # type: ignore[attr-defined]


class PartnerForm(AuthorityModelForm):
    org_number = forms.CharField(label=_("Organisation number"), max_length=20, required=False)
    focus_areas = focus_area_field()
    m2m_names = ("focus_areas", "measures")

    class Meta:
        model = Partner
        formfield_callback = https_urls
        fields = [
            "name",
            "org_number",
            "partner_type",
            "org_form",
            "industry_code",
            "industry_name",
            "municipality_name",
            "website",
            "contact_role",
            "contact_email",
            "description",
            "is_active",
        ]
        help_texts = {
            "org_number": _("Nine digits. Links the partner to the allocations it received."),
            "contact_role": _("A role, such as 'Head of innovation' – no names of private persons."),
            "contact_email": _("A work or shared address, such as post@…"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _add_measures(self)

    def clean_org_number(self) -> str:
        raw = self.cleaned_data.get("org_number", "")
        if not raw:
            return ""
        try:
            digits = normalise_org_number(raw)
        except OrgNumberError as exc:
            raise forms.ValidationError(
                _("Not a valid organisation number (nine digits with a mod-11 check digit).")
            ) from exc
        clash = Partner.objects.filter(authority=self.authority, org_number=digits).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another partner already has this organisation number."))
        return digits


class ArenaForm(AuthorityModelForm):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=Partner.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    focus_areas = focus_area_field()
    m2m_names = ("members", "focus_areas")

    class Meta:
        model = Arena
        formfield_callback = https_urls
        fields = ["name", "kind", "description", "website", "coordinator", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        partners = Partner.objects.filter(authority=self.authority)
        self.fields["members"].queryset = partners  # type: ignore[attr-defined]
        self.fields["coordinator"].queryset = partners  # type: ignore[attr-defined]


class ArenaActivityForm(forms.ModelForm):
    class Meta:
        model = ArenaActivity
        fields = ["title", "date", "description"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}), "description": forms.Textarea(attrs={"rows": 2})}


class AgreementForm(AuthorityModelForm):
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"), queryset=Partner.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    focus_areas = focus_area_field()
    m2m_names = ("parties", "focus_areas", "measures")

    class Meta:
        model = Agreement
        fields = ["title", "reference", "status", "starts_on", "ends_on", "renewal_date", "obligations"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "renewal_date": forms.DateInput(attrs={"type": "date"}),
            "obligations": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = Partner.objects.filter(authority=self.authority)  # type: ignore[attr-defined]
        _add_measures(self)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The agreement cannot end before it starts."))
        return data


class PartnerImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: name, org_number, type, org_form, contact_role, contact_email, website, description, "
            "focus_areas (codes separated by ;). Norwegian headers work too."
        ),
    )
