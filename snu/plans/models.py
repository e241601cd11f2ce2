"""Action plans and their rolling revisions.

A plan (handlingsplan) is a series of revisions (rulleringer). Each revision is a full snapshot of the
plan's measures; measures keep a stable `key` across revisions, so two revisions can be compared
measure by measure. An adopted revision's content is frozen. Follow-up on the revision in force —
status reports, money links and evaluations — is recorded against it until the next revision is
adopted; after that the revision is history and accepts nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from snu.core.models import AuthorityOwned, TimeStamped
from snu.grants.models import Allocation, money_field
from snu.strategy.models import Element, Strategy


class PlanError(Exception):
    """A plan action refused, with a message for the user."""


class RevisionFrozen(PlanError):
    """Raised on any attempt to change the content of an adopted revision."""


FROZEN_MESSAGE = _("This revision is adopted and cannot be changed. Start a new revision to change the plan.")


class StaleEdit(PlanError):
    """Someone else saved the record after this form was opened."""


class ActionPlan(AuthorityOwned):
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="action_plans")
    elements = models.ManyToManyField(Element, related_name="action_plans", verbose_name=_("focus and target areas"))
    period_from = models.PositiveSmallIntegerField(_("period from (year)"))
    period_to = models.PositiveSmallIntegerField(_("period to (year)"))
    cadence_months = models.PositiveSmallIntegerField(_("revision every (months)"), default=12)
    owner = models.CharField(_("responsible"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-period_from", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plans:plan", args=[self.pk])

    def adopted(self) -> PlanRevision | None:
        """The revision in force: the newest adopted one."""
        return self.revisions.filter(status=PlanRevision.Status.ADOPTED).order_by("-number").first()

    def draft(self) -> PlanRevision | None:
        return self.revisions.filter(status=PlanRevision.Status.DRAFT).first()

    def next_revision_due(self) -> dt.date | None:
        adopted = self.adopted()
        if adopted is None or adopted.adopted_on is None:
            return None
        return add_months(adopted.adopted_on, self.cadence_months)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


class PlanRevision(TimeStamped):
    """One version of a plan (rullering). Revision 1 is the first plan; each next one starts from the adopted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        ADOPTED = "adopted", _("Adopted")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    started_from = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="successors")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("summary of the revision"), blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    decision_reference = models.CharField(_("decision reference"), max_length=200, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    brief = models.JSONField(default=dict, blank=True, help_text="The revision brief as generated at the start")
    brief_generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("plan revision")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_revision_number"),
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(status="draft"), name="one_draft_revision_per_plan"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} – {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("plans:revision", args=[self.plan_id, self.number])

    def get_authority(self):
        return self.plan.authority

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_in_force(self) -> bool:
        adopted = self.plan.adopted()
        return adopted is not None and adopted.pk == self.pk

    @property
    def accepts_follow_up(self) -> bool:
        """Status reports, money links and evaluations go to the draft and the revision in force."""
        return self.is_draft or self.is_in_force


class MeasureStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", _("Done")
    STOPPED = "stopped", _("Stopped")


class Measure(TimeStamped):
    """A measure or activity (tiltak/aktivitet) as it stands in one revision."""

    revision = models.ForeignKey(PlanRevision, on_delete=models.CASCADE, related_name="measures")
    key = models.UUIDField(default=uuid.uuid4, help_text="The same measure across revisions")
    code = models.CharField(_("number"), max_length=20, help_text=_("Short number within the plan, e.g. T1"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.CharField(_("responsible"), max_length=200, blank=True)
    partners_text = models.CharField(
        _("partners"), max_length=500, blank=True, help_text=_("Partners taking part, in words")
    )
    budget = money_field(verbose_name=_("budget"), null=True, blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    elements = models.ManyToManyField(
        Element, blank=True, related_name="measures", verbose_name=_("focus areas and drivers")
    )
    status = models.CharField(_("status"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.ON_TRACK)
    status_comment = models.TextField(_("status comment"), blank=True)
    status_date = models.DateField(_("status date"), null=True, blank=True)
    change_reason = models.TextField(_("reason for the change"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic locking")
    allocations = models.ManyToManyField(Allocation, through="MeasureAllocation", related_name="measures")

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["revision", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["revision", "key"], name="one_measure_per_key")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("plans:measure", args=[self.revision.plan_id, self.revision.number, self.key])

    def get_authority(self):
        return self.revision.plan.authority

    def save(self, *args, **kwargs) -> None:
        # A second guard below the actions: nothing may rewrite a measure of an adopted revision.
        if PlanRevision.objects.filter(pk=self.revision_id, status=PlanRevision.Status.ADOPTED).exists():
            raise RevisionFrozen(FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if PlanRevision.objects.filter(pk=self.revision_id, status=PlanRevision.Status.ADOPTED).exists():
            raise RevisionFrozen(FROZEN_MESSAGE)
        return super().delete(*args, **kwargs)

    def latest_report(self) -> StatusReport | None:
        return self.status_reports.order_by("-reported_on", "-id").first()

    def current_status(self) -> tuple[str, str, dt.date | None]:
        """(status, comment, date): the newest status report, else the status the revision gave it."""
        report = self.latest_report()
        if report is not None:
            return report.status, report.comment, report.reported_on
        return self.status, self.status_comment, self.status_date

    def money(self) -> dict[str, Decimal]:
        """Money committed and paid: exact sums over the linked allocations."""
        committed, paid = Decimal("0.00"), Decimal("0.00")
        for amount, amount_paid in self.allocations.values_list("amount", "amount_paid"):
            committed += amount
            paid += amount_paid or Decimal("0.00")
        return {"committed": committed, "paid": paid}


class MeasureAllocation(models.Model):
    """An allocation that funds a measure, with who linked it and when."""

    class Origin(models.TextChoices):
        MANUAL = "manual", _("By hand")
        SUGGESTED = "suggested", _("Suggested from the alignment")

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="allocation_links")
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="measure_links")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["measure", "allocation"], name="one_link_per_measure")]

    def __str__(self) -> str:
        return f"{self.measure_id} ← {self.allocation_id}"

    def get_authority(self):
        return self.allocation.authority


class StatusReport(models.Model):
    """A dated traffic-light report on a measure while its revision is in force."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="status_reports")
    status = models.CharField(_("status"), max_length=10, choices=MeasureStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    reported_on = models.DateField(_("date"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.status} {self.reported_on}"

    def get_authority(self):
        return self.measure.revision.plan.authority


class Decision(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    ADJUST = "adjust", _("Adjust")
    SCALE_UP = "scale_up", _("Scale up")
    STOP = "stop", _("Stop")


class Evaluation(TimeStamped):
    """Evaluation and reflection on one measure of the revision in force, with a decision for the next."""

    measure = models.OneToOneField(Measure, on_delete=models.CASCADE, related_name="evaluation")
    what_was_done = models.TextField(_("what was done"))
    what_happened = models.TextField(_("what happened"), blank=True)
    what_we_learned = models.TextField(_("what we learned"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    decision_note = models.TextField(_("why this decision"), blank=True)
    facts = models.JSONField(default=dict, blank=True, help_text="Money and indicator values when evaluated")
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("evaluation")

    def __str__(self) -> str:
        return f"{self.measure} – {self.decision}"

    def get_authority(self):
        return self.measure.revision.plan.authority


class Indicator(TimeStamped):
    """What the plan measures, with a baseline and a target; values are entered or computed from allocations."""

    class Kind(models.TextChoices):
        ENTERED = "entered", _("Entered by hand")
        ALLOCATION_COUNT = "allocation_count", _("Number of allocations to the chosen areas")
        ALLOCATION_SUM = "allocation_sum", _("Money allocated to the chosen areas")

    class Direction(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ENTERED)
    elements = models.ManyToManyField(
        Element, blank=True, related_name="indicators", verbose_name=_("areas counted (computed kinds)")
    )
    measure_key = models.UUIDField(null=True, blank=True, help_text="The measure the indicator follows, if one")
    baseline = models.DecimalField(_("baseline"), max_digits=18, decimal_places=2, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=2, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices, default=Direction.UP)

    class Meta:
        verbose_name = _("indicator")
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("plans:indicator", args=[self.plan_id, self.pk])

    def get_authority(self):
        return self.plan.authority

    @property
    def is_computed(self) -> bool:
        return self.kind != self.Kind.ENTERED


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="one_value_per_year")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.value}"

    def get_authority(self):
        return self.indicator.plan.authority


class RevisionProposal(AuthorityOwned):
    """A proposal for a plan's next revision, raised by a person or another part of SNU (e.g. a signal)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Taken into the revision")
        DECLINED = "declined", _("Declined")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="proposals")
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    source_label = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.CharField(_("source address"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    revision = models.ForeignKey(
        PlanRevision, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("revision proposal")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
