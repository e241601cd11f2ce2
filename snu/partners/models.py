"""Partners, collaboration arenas and partnership agreements: the county's network."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from snu.core.models import AuthorityOwned, TimeStamped
from snu.lib.orgnr import format_org_number

# An agreement whose renewal date (or end) is this close is flagged on the home page.
RENEWAL_WARNING_DAYS = 90


class PartnerType(models.TextChoices):
    BUSINESS = "business", _("Business")
    RESEARCH = "research", _("R&D and knowledge institution")
    EDUCATION = "education", _("Education")
    MUNICIPALITY = "municipality", _("Municipality")
    CLUSTER = "cluster", _("Cluster")
    COMPETENCE_CENTRE = "competence_centre", _("Competence centre")
    PUBLIC_AGENCY = "public_agency", _("Public agency")
    NGO = "ngo", _("Voluntary or non-profit organisation")
    OTHER = "other", _("Other")


class Partner(AuthorityOwned):
    """An organisation the county works with. Holds work contact roles only, never private persons' data."""

    name = models.CharField(_("name"), max_length=300)
    org_number = models.CharField(_("organisation number"), max_length=9, blank=True, db_index=True)
    org_form = models.CharField(_("organisation form"), max_length=10, blank=True)
    partner_type = models.CharField(_("type"), max_length=20, choices=PartnerType.choices, default=PartnerType.OTHER)
    industry_code = models.CharField(_("industry code"), max_length=10, blank=True)
    industry_name = models.CharField(_("industry"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        "grants.Municipality", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    municipality_name = models.CharField(_("municipality"), max_length=120, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    contact_role = models.CharField(_("contact role"), max_length=200, blank=True)
    contact_email = models.EmailField(_("work e-mail"), blank=True)
    description = models.TextField(_("description"), blank=True)
    focus_areas = models.ManyToManyField("strategy.Element", blank=True, related_name="partners")
    # Links to a measure as it stands in one revision; pages match on the measure's key across revisions.
    measures = models.ManyToManyField("plans.Measure", blank=True, related_name="partner_links")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "org_number"],
                condition=~models.Q(org_number=""),
                name="partner_org_number_per_authority",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:partner", args=[self.pk])

    @property
    def org_number_display(self) -> str:
        return format_org_number(self.org_number)


class ArenaKind(models.TextChoices):
    CLUSTER = "cluster", _("Cluster")
    COMPETENCE_CENTRE = "competence_centre", _("Competence centre")
    DEVELOPMENT = "development", _("Development arena")
    EVENT = "event", _("Event arena")


class Arena(AuthorityOwned):
    """A collaboration arena: cluster, competence centre, development or event arena."""

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=ArenaKind.choices)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    coordinator = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="coordinated_arenas"
    )
    members = models.ManyToManyField(Partner, blank=True, related_name="arenas")
    focus_areas = models.ManyToManyField("strategy.Element", blank=True, related_name="arenas")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("arena")
        verbose_name_plural = _("arenas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:arena", args=[self.pk])


class ArenaActivity(TimeStamped):
    """Something an arena does or holds: a meeting series, a conference, a programme."""

    arena = models.ForeignKey(Arena, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("activity")
        ordering = ["-date", "title"]

    def __str__(self) -> str:
        return self.title

    def get_authority(self):  # used by the audit trail
        return self.arena.authority


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    UP_FOR_RENEWAL = "renewal", _("Up for renewal")
    EXPIRED = "expired", _("Expired")
    ENDED = "ended", _("Ended")


class Agreement(AuthorityOwned):
    """A partnership agreement (partnerskapsavtale) between the county and one or more partners."""

    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(_("case reference"), max_length=100, blank=True)
    parties = models.ManyToManyField(Partner, blank=True, related_name="agreements")
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    renewal_date = models.DateField(_("renewal date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE
    )
    obligations = models.TextField(_("obligations"), blank=True)
    focus_areas = models.ManyToManyField("strategy.Element", blank=True, related_name="agreements")
    measures = models.ManyToManyField("plans.Measure", blank=True, related_name="agreement_links")

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["renewal_date", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("partners:agreement", args=[self.pk])

    @property
    def next_deadline(self) -> dt.date | None:
        """The renewal date, else the end date: when someone must act."""
        return self.renewal_date or self.ends_on

    def is_expiring(self, today: dt.date | None = None) -> bool:
        if self.status not in (AgreementStatus.ACTIVE, AgreementStatus.UP_FOR_RENEWAL):
            return False
        deadline = self.next_deadline
        today = today or dt.date.today()
        return deadline is not None and deadline <= today + dt.timedelta(days=RENEWAL_WARNING_DAYS)
