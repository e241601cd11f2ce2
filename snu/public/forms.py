from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from snu.core.models import Authority
from snu.grants.models import FundingSource, Scheme
from snu.lib.i18n import pick
from snu.public import queries
from snu.strategy.models import Strategy


class PublicFilterForm(forms.Form):
    """Search and filters of the open allocation list (a GET form; every value optional)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    focus_area = forms.ChoiceField(label=_("Focus area"), required=False)
    scheme = forms.ChoiceField(label=_("Scheme"), required=False)
    funding_source = forms.ChoiceField(label=_("Funding source"), required=False)

    def __init__(self, data: object, *, authority: Authority, strategy: Strategy | None):
        super().__init__(data)  # type: ignore[arg-type]
        everything = [("", _("All"))]
        self.fields["year"].choices = everything + [(y, y) for y in queries.years(authority)]  # type: ignore[attr-defined]
        self.fields["municipality"].choices = everything + [  # type: ignore[attr-defined]
            (m.number, m.name) for m in queries.municipalities(authority)
        ]
        self.fields["focus_area"].choices = everything + [  # type: ignore[attr-defined]
            (e.code, pick(e.name)) for e in queries.focus_elements(strategy)
        ]
        self.fields["scheme"].choices = everything + [  # type: ignore[attr-defined]
            (s.code, s.name) for s in Scheme.objects.filter(authority=authority)
        ]
        self.fields["funding_source"].choices = everything + [  # type: ignore[attr-defined]
            (f.code, f.name) for f in FundingSource.objects.filter(authority=authority)
        ]

    def filters(self) -> dict:
        """The valid filters; an invalid value (an old link, a hand-made URL) is ignored rather than failing."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "")}
