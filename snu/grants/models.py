"""Allocations (tildelinger) and the reference data they point to."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from snu.core.models import Authority, AuthorityOwned, TimeStamped


def money_field(**kwargs: object) -> models.DecimalField:
    """Kroner with øre, never float."""
    return models.DecimalField(max_digits=16, decimal_places=2, **kwargs)  # type: ignore[arg-type]


class Municipality(TimeStamped):
    """A municipality under one numbering (2019: 19xx, 2020–2023: 54xx, 2024: 55xx in Troms).

    Reference data shared by all authorities. `current` is today's municipality it now belongs to
    (itself when still in force); split municipalities also have shares in MunicipalitySuccessor.
    """

    number = models.CharField(max_length=4, unique=True)
    name = models.CharField(max_length=120)
    county_name = models.CharField(max_length=120, blank=True)
    valid_from = models.PositiveSmallIntegerField(help_text=_("First year in force"))
    valid_to = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Last year in force"))
    current = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="historical")
    is_split = models.BooleanField(default=False, help_text=_("Went to more than one of today's municipalities"))
    population = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None


class MunicipalityName(models.Model):
    """Every name a municipality is known by (Sami and Kven forms, short forms), for matching input."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=120)
    normalised = models.CharField(max_length=120, db_index=True)

    def __str__(self) -> str:
        return self.name


class MunicipalitySuccessor(models.Model):
    """Share of a historical municipality (by area) that went to one of today's municipalities."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="successors")
    successor = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="predecessors")
    share = models.DecimalField(max_digits=5, decimal_places=4, default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "successor"], name="one_share_per_pair")]

    def __str__(self) -> str:
        return f"{self.municipality_id} → {self.successor_id} ({self.share})"


class FundingSource(AuthorityOwned):
    """The principal whose money it is (KDD 13.50, LMD, the county's own funds …)."""

    code = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    is_state = models.BooleanField(default=False, help_text=_("State money (as opposed to the county's own)"))
    principal = models.CharField(max_length=200, blank=True, help_text=_("Ministry or other principal"))

    class Meta:
        verbose_name = _("funding source")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="funding_source_code")]

    def __str__(self) -> str:
        return self.name


class Scheme(AuthorityOwned):
    """A grant scheme or instrument (tilskuddsordning, virkemiddel)."""

    code = models.CharField(max_length=120)
    name = models.CharField(max_length=200)
    funding_source = models.ForeignKey(FundingSource, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("scheme")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "code"], name="scheme_code")]

    def __str__(self) -> str:
        return self.name


class Organisation(AuthorityOwned):
    """An applicant or recipient. Sole proprietors are persons: never shown by name in public."""

    org_number = models.CharField(max_length=9, blank=True, db_index=True)
    name = models.CharField(max_length=300)
    org_form = models.CharField(max_length=10, blank=True, help_text=_("AS, ENK, SA, KOMM, STI …"))
    industry_code = models.CharField(max_length=10, blank=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.SET_NULL, null=True, blank=True)
    is_sole_proprietor = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("organisation")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "org_number"],
                condition=~models.Q(org_number=""),
                name="org_number_per_authority",
            )
        ]

    def __str__(self) -> str:
        return self.name


class AllocationStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    PAID = "paid", _("Paid")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REJECTED = "rejected", _("Rejected")
    APPLIED = "applied", _("Applied")


class Allocation(AuthorityOwned):
    """One grant decision (tilsagn) with its money, recipient, place and text."""

    # No index of its own: every index below starts with the authority (each one costs on every imported row).
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="+", db_index=False)
    external_id = models.CharField(max_length=120, help_text=_("Case number, or a stable key made from the row"))
    title = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    recipient_name = models.CharField(max_length=300, blank=True)
    org_number = models.CharField(max_length=9, blank=True)
    # Scheme, source and current municipality: no index of their own either; the (authority, …, year) indexes
    # below serve every lookup the app makes (always within one authority).
    funding_source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, null=True, blank=True, db_index=False)
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, null=True, blank=True, db_index=False)
    municipality_given = models.CharField(max_length=120, blank=True, help_text=_("As written in the source"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations_at_decision"
    )
    current_municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations_now", db_index=False
    )
    municipality_needs_review = models.BooleanField(default=False)
    decision_date = models.DateField(null=True, blank=True)
    year = models.PositiveSmallIntegerField()  # indexed after the authority, below
    amount = money_field()
    amount_paid = money_field(null=True, blank=True)
    amount_applied = money_field(null=True, blank=True)
    status = models.CharField(max_length=10, choices=AllocationStatus.choices, default=AllocationStatus.GRANTED)
    industry_code = models.CharField(max_length=10, blank=True)
    industry_name = models.CharField(max_length=200, blank=True)
    tags = models.JSONField(default=list, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    row_hash = models.CharField(max_length=64, blank=True, help_text="Hash of the imported values, to see changes")
    version = models.PositiveIntegerField(default=1, help_text="Optimistic locking")

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-year", "-decision_date", "-id"]  # newest first, year by year: served by the index below
        constraints = [models.UniqueConstraint(fields=["authority", "external_id"], name="allocation_external_id")]
        indexes = [
            models.Index(fields=["authority", "-amount", "-id"], name="allocation_largest_first"),
            # year descending: serves "newest first" (year, then decision date) in one year and across years, for
            # the list, the open data and the API. No index on the decision date alone: a second order that is all
            # but the same costs every imported row (0.6 s a million on SQLite).
            models.Index(fields=["authority", "-year", "-decision_date", "-id"], name="allocation_year_newest_first"),
            models.Index(fields=["authority", "current_municipality", "year"]),
            models.Index(fields=["authority", "scheme", "year"]),
            models.Index(fields=["authority", "funding_source", "year"]),
            models.Index(fields=["authority", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.external_id} {self.title or self.recipient_name}"

    def get_absolute_url(self) -> str:
        return reverse("grants:allocation_detail", args=[self.pk])

    @property
    def is_sole_proprietor(self) -> bool:
        return bool(self.recipient is not None and self.recipient.is_sole_proprietor)

    @property
    def public_recipient_name(self) -> str:
        """The recipient as public pages may show it: a sole proprietor is a person, so never by name."""
        if self.is_sole_proprietor or self.recipient_name.lower().startswith("enkeltpersonforetak"):
            return str(_("Sole proprietorship"))
        return self.recipient_name
