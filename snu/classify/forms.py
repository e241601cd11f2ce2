"""The accept-or-change form of one alignment (review queue and allocation page)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from snu.classify.models import Alignment
from snu.lib.i18n import pick
from snu.strategy.models import ElementKind

OUTSIDE = "-"


class DecisionForm(forms.Form):
    """Pre-filled with the suggestion: submitting it unchanged accepts, submitting a change corrects."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    primary = forms.ChoiceField(label=_("Primary focus area"), widget=forms.RadioSelect)
    focus_areas = forms.MultipleChoiceField(
        label=_("Also touches"), required=False, widget=forms.CheckboxSelectMultiple
    )
    drivers = forms.MultipleChoiceField(
        label=_("Societal drivers"), required=False, widget=forms.CheckboxSelectMultiple
    )
    advantages = forms.MultipleChoiceField(
        label=_("Regional advantages"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, alignment: Alignment, elements: list | None = None, **kwargs):
        """`elements`: the strategy's elements in order, when the caller already has them (one read per page)."""
        self.alignment = alignment
        kwargs.setdefault("prefix", f"a{alignment.pk}")
        kwargs.setdefault("initial", self.suggestion(alignment))
        super().__init__(*args, **kwargs)
        if elements is None:
            elements = list(alignment.strategy.elements.order_by("order", "code"))
        choices = {kind: [(e.code, pick(e.name)) for e in elements if e.kind == kind] for kind in ElementKind}
        self.fields["primary"].choices = [*choices[ElementKind.FOCUS_AREA], (OUTSIDE, _("Outside the strategy"))]  # type: ignore[attr-defined]
        self.fields["focus_areas"].choices = choices[ElementKind.FOCUS_AREA]  # type: ignore[attr-defined]
        self.fields["drivers"].choices = choices[ElementKind.DRIVER]  # type: ignore[attr-defined]
        self.fields["advantages"].choices = choices[ElementKind.ADVANTAGE]  # type: ignore[attr-defined]
        for name in ("drivers", "advantages", "focus_areas"):
            if not self.fields[name].choices:  # type: ignore[attr-defined]
                del self.fields[name]

    @staticmethod
    def suggestion(alignment: Alignment) -> dict:
        assigned: dict[str, list[str]] = {kind: [] for kind in ElementKind}
        for row in alignment.elements.all():  # type: ignore[attr-defined]
            if row.assigned:
                assigned[row.element.kind].append(row.element.code)
        primary = alignment.primary.code if alignment.primary else OUTSIDE
        return {
            "version": alignment.version,
            "primary": primary,
            "focus_areas": sorted(c for c in assigned[ElementKind.FOCUS_AREA] if c != primary),
            "drivers": sorted(assigned[ElementKind.DRIVER]),
            "advantages": sorted(assigned[ElementKind.ADVANTAGE]),
        }

    def decision(self) -> dict:
        data = self.cleaned_data
        primary = None if data["primary"] == OUTSIDE else data["primary"]
        return {
            "primary": primary,
            "focus_areas": [] if primary is None else [primary, *data.get("focus_areas", [])],
            "drivers": data.get("drivers", []),
            "advantages": data.get("advantages", []),
        }

    def is_unchanged(self) -> bool:
        """True when the person submitted the suggestion as shown: an accept."""
        suggestion = self.suggestion(self.alignment)
        data = self.cleaned_data
        same_primary = data["primary"] == suggestion["primary"]
        extra = sorted(c for c in data.get("focus_areas", []) if c != data["primary"])
        if data["primary"] == OUTSIDE:
            extra = []
        return (
            same_primary
            and extra == suggestion["focus_areas"]
            and sorted(data.get("drivers", [])) == suggestion["drivers"]
            and sorted(data.get("advantages", [])) == suggestion["advantages"]
        )


class BulkAcceptForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, accept all these suggestions as my decision"), required=True)
