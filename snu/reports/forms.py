"""Forms for the report pages: which report to show, and the advisors' texts."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from snu.reports import texts
from snu.reports.models import REPORT_LANGUAGES


class ReportChoiceForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    strategy = forms.ChoiceField(label=_("Strategy version"), required=False)
    language = forms.ChoiceField(label=_("Report language"), choices=REPORT_LANGUAGES, initial="nb")

    def __init__(self, *args, years: list[int], strategies: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        year, strategy = self.fields["year"], self.fields["strategy"]
        assert isinstance(year, forms.ChoiceField) and isinstance(strategy, forms.ChoiceField)
        year.choices = [(y, str(y)) for y in years]
        strategy.choices = [("", _("The one in force that year"))] + [(s.code, str(s)) for s in strategies]


class ReportTextsForm(forms.Form):
    """One text field per section, holding the advisor's text or else the default."""

    def __init__(self, *args, current: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for key, label in texts.SECTIONS.items():
            self.fields[key] = forms.CharField(
                label=label,
                required=False,
                initial=current[key],
                widget=forms.Textarea(attrs={"rows": 6}),
                help_text=_("Leave empty to use the default text."),
            )
