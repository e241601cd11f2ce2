"""Strategies as data: a strategy version and its tree of elements, and mappings between versions."""

from __future__ import annotations

import functools

from django.db import models
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from snu.core.models import AuthorityOwned, TimeStamped
from snu.lib.i18n import pick


class Strategy(AuthorityOwned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ADOPTED = "adopted", _("Adopted")
        ARCHIVED = "archived", _("Archived")

    code = models.SlugField(max_length=60)
    name = models.JSONField(default=dict, help_text="Name per language code")
    description = models.JSONField(default=dict, blank=True)
    period_from = models.PositiveSmallIntegerField()
    period_to = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.TextField(blank=True, help_text="Where the strategy text comes from")

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["-period_from", "code"]
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="strategy_code_per_authority")]

    def __str__(self) -> str:
        return f"{pick(self.name)} ({self.period_from}–{self.period_to})"

    def get_absolute_url(self) -> str:
        return reverse("strategy:detail", args=[self.code])

    @property
    def label(self) -> str:
        return pick(self.name)

    def elements_of(self, kind: str) -> models.QuerySet[Element]:
        return self.elements.filter(kind=kind).order_by("order", "code")


class ElementKind(models.TextChoices):
    ADVANTAGE = "advantage", _("Regional advantage")
    DRIVER = "driver", _("Societal driver")
    FOCUS_AREA = "focus_area", _("Focus area")
    TARGET_AREA = "target_area", _("Target area")


ELEMENT_KIND_PLURAL = {
    ElementKind.ADVANTAGE: _("Regional advantages"),
    ElementKind.DRIVER: _("Societal drivers"),
    ElementKind.FOCUS_AREA: _("Focus areas"),
    ElementKind.TARGET_AREA: _("Target areas"),
}


class Element(TimeStamped):
    """One advantage, driver, focus area or target area of a strategy."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="elements")
    kind = models.CharField(max_length=20, choices=ElementKind.choices)
    code = models.CharField(max_length=30)
    name = models.JSONField(default=dict)
    description = models.JSONField(default=dict, blank=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    keywords = models.JSONField(default=dict, blank=True, help_text="Keyword lists per language")
    industry_codes = models.JSONField(default=list, blank=True, help_text="NACE code prefixes")
    target_share = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("strategy element")
        verbose_name_plural = _("strategy elements")
        ordering = ["strategy", "kind", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["strategy", "code"], name="element_code_per_strategy")]

    def __str__(self) -> str:
        return f"{self.code} {pick(self.name)}"

    def get_absolute_url(self) -> str:
        return _element_url(get_script_prefix(), self.strategy.code, self.code)

    def get_authority(self):  # used by the audit trail
        return self.strategy.authority

    @property
    def label(self) -> str:
        return pick(self.name)

    @property
    def authority_id(self) -> int:
        return self.strategy.authority_id


class StrategyMapping(TimeStamped):
    """How the elements of one strategy version carry over into another (e.g. OPP → attractive communities)."""

    source = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="mappings_out")
    target = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="mappings_in")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="one_mapping_per_pair")]

    def __str__(self) -> str:
        return f"{self.source.code} → {self.target.code}"

    def get_authority(self):
        return self.source.authority


class MappingLink(models.Model):
    mapping = models.ForeignKey(StrategyMapping, on_delete=models.CASCADE, related_name="links")
    source_element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="+")
    target_element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="+")
    weight = models.DecimalField(max_digits=5, decimal_places=4, default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mapping", "source_element", "target_element"], name="one_link_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.source_element.code} → {self.target_element.code} ({self.weight})"


@functools.lru_cache(maxsize=4096)
def _element_url(prefix: str, strategy_code: str, code: str) -> str:
    """Element links are on every alignment shown; `reverse` is worth doing once per element (and prefix)."""
    return reverse("strategy:element", args=[strategy_code, code])
