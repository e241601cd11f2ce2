"""Trends and signals in the county's surroundings, linked to the strategy's drivers and focus areas."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from snu.core.models import AuthorityOwned

# A signal whose review date is this close is listed on the home page.
REVIEW_WARNING_DAYS = 30


class SignalKind(models.TextChoices):
    TREND = "trend", _("Trend")
    WEAK_SIGNAL = "weak_signal", _("Weak signal")
    WILD_CARD = "wild_card", _("Wild card")


class Horizon(models.TextChoices):
    SHORT = "short", _("Short term (0–2 years)")
    MEDIUM = "medium", _("Medium term (3–5 years)")
    LONG = "long", _("Long term (more than 5 years)")


class Strength(models.TextChoices):
    WEAK = "weak", _("Weak")
    MODERATE = "moderate", _("Moderate")
    STRONG = "strong", _("Strong")


class Signal(AuthorityOwned):
    """One trend, weak signal or wild card, with where it comes from and what it means for the county."""

    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    source_title = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    source_date = models.DateField(_("source date"), null=True, blank=True)
    kind = models.CharField(_("type"), max_length=12, choices=SignalKind.choices, default=SignalKind.TREND)
    horizon = models.CharField(_("time horizon"), max_length=8, choices=Horizon.choices, default=Horizon.MEDIUM)
    strength = models.CharField(_("strength"), max_length=8, choices=Strength.choices, default=Strength.MODERATE)
    drivers = models.ManyToManyField("strategy.Element", blank=True, related_name="signals_as_driver")
    focus_areas = models.ManyToManyField("strategy.Element", blank=True, related_name="signals_as_focus_area")
    so_what = models.TextField(_("so what for us"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    review_date = models.DateField(_("review date"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    is_archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("signal")
        verbose_name_plural = _("signals")
        ordering = ["review_date", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("signals:signal", args=[self.pk])

    def is_due(self, today: dt.date | None = None) -> bool:
        today = today or dt.date.today()
        return (
            not self.is_archived
            and self.review_date is not None
            and self.review_date <= today + dt.timedelta(days=REVIEW_WARNING_DAYS)
        )

    @property
    def owner_name(self) -> str:
        if self.owner is None:
            return ""
        return self.owner.get_full_name() or self.owner.get_username()
