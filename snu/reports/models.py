"""Texts advisors write for the annual report, one per (authority, year, section, language)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from snu.core.models import AuthorityOwned

REPORT_LANGUAGES = (("nb", "Norsk bokmål"), ("en", "English"))


class ReportText(AuthorityOwned):
    """An advisor's own wording of one text section; placeholders such as {total_mnok} are filled in
    from the report's figures when it is built. Without a row the built-in default text is used."""

    year = models.PositiveSmallIntegerField(_("year"))
    section = models.CharField(_("section"), max_length=40)
    language = models.CharField(_("language"), max_length=5, choices=REPORT_LANGUAGES)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("report text")
        verbose_name_plural = _("report texts")
        ordering = ["authority", "year", "section", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year", "section", "language"], name="one_report_text_per_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.section} ({self.language})"
