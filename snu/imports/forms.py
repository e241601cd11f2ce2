from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from snu.imports.layouts import FIELD_LABELS, FIELDS
from snu.imports.models import SavedMapping
from snu.strategy.models import Strategy

ALLOWED = (".csv", ".txt", ".xlsx", ".xlsm", ".json")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Grant file"),
        help_text=_("CSV (any delimiter, UTF-8 or Windows-1252), Excel (.xlsx) or 360Giving (JSON or CSV)."),
    )
    sheet = forms.CharField(
        label=_("Sheet"), required=False, help_text=_("For Excel files: the sheet to read (default: the first).")
    )
    mapping = forms.ModelChoiceField(
        label=_("Saved mapping"),
        queryset=SavedMapping.objects.none(),
        required=False,
        to_field_name="name",
        help_text=_("Only needed for a layout SNU does not recognise by its headers."),
    )

    def __init__(self, *args, authority=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = SavedMapping.objects.filter(authority=authority)  # type: ignore[attr-defined]

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(ALLOWED):
            raise forms.ValidationError(_("Choose a .csv, .xlsx or .json file."))
        if f.size > settings.SNU_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return f


def field_choices() -> list[tuple[str, Any]]:
    return [("", _("(ignore this column)"))] + [(f, FIELD_LABELS[f]) for f in FIELDS]


class RunForm(forms.Form):
    """How to run the import: strategy for labels, what to do with bad rows, a name to keep the mapping under."""

    strategy = forms.ModelChoiceField(
        label=_("Strategy for the labels column"),
        queryset=Strategy.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("Labels such as OPP;TEK are stored as alignments confirmed by a person."),
    )
    funding_source = forms.CharField(label=_("Funding source for rows without one"), required=False, max_length=200)
    skip_invalid = forms.BooleanField(
        label=_("Import the good rows and leave out the bad ones"),
        required=False,
        help_text=_("The rows left out are written to a file you can fix and import again."),
    )
    save_as = forms.SlugField(
        label=_("Save this mapping as"),
        required=False,
        help_text=_("A short name (letters, digits, hyphens) to reuse the mapping for the next file."),
    )

    def __init__(self, *args, authority=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["strategy"].queryset = Strategy.objects.filter(authority=authority)  # type: ignore[attr-defined]
