"""How each allocation aligns to a strategy version: scores, assigned elements, split weights, evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from snu.core.models import AuthorityOwned, TimeStamped
from snu.grants.models import Allocation, money_field
from snu.strategy.models import Element, Strategy


class Origin(models.TextChoices):
    RULE = "rule", _("Rule")
    MODEL = "model", _("Model")
    PERSON = "person", _("Person")


class Alignment(TimeStamped):
    """One allocation under one strategy version."""

    # No single-column indexes on the two keys: one_alignment_per_strategy (allocation, strategy) and the
    # (strategy, origin, confidence) index begin with them, and every index costs each written alignment.
    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="alignments", db_index=False)
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="alignments", db_index=False)
    primary = models.ForeignKey(Element, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.RULE)
    confidence = models.FloatField(default=0)
    evidence = models.JSONField(default=dict, blank=True)
    model_version = models.CharField(max_length=40, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Optimistic locking")
    priority = models.FloatField(default=0, help_text="Review order: uncertainty × log(amount)")

    class Meta:
        verbose_name = _("alignment")
        constraints = [models.UniqueConstraint(fields=["allocation", "strategy"], name="one_alignment_per_strategy")]
        indexes = [
            models.Index(fields=["strategy", "origin", "confidence"]),
            # The review queue: suggestions not yet decided by a person, most uncertain and largest first.
            models.Index(
                fields=["strategy", "-priority", "id"],
                name="alignment_review_queue",
                condition=~models.Q(origin="person"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.allocation_id} → {self.strategy.code}"

    def get_authority(self):
        return self.strategy.authority

    @property
    def is_confirmed(self) -> bool:
        return self.origin == Origin.PERSON


class AlignmentElement(models.Model):
    """Score of one element for one alignment; focus areas carry the weight and money share."""

    # Covered by one_score_per_element (alignment, element) and element_ranking (element, …): no own indexes.
    alignment = models.ForeignKey(Alignment, on_delete=models.CASCADE, related_name="elements", db_index=False)
    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="alignment_scores", db_index=False)
    score = models.FloatField(default=0)
    assigned = models.BooleanField(default=False)
    weight = models.DecimalField(max_digits=5, decimal_places=4, default=0)
    amount = money_field(default=0, help_text="The allocation's amount × weight, to the øre")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alignment", "element"], name="one_score_per_element")]
        indexes = [
            # An element's allocations page: assigned first, then by score; also serves (element, assigned).
            models.Index(fields=["element", "-assigned", "-score", "alignment"], name="element_ranking"),
        ]

    def __str__(self) -> str:
        return f"{self.alignment_id}:{self.element_id} {self.score:.2f}"


class ModelVersion(AuthorityOwned):
    """A trained classifier for one strategy, kept when it scored at least as well as the one before."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="model_versions")
    label = models.CharField(max_length=40)
    trained_on = models.PositiveIntegerField(default=0)
    score = models.FloatField(null=True, blank=True, help_text="Macro-F1 on held-out confirmed labels")
    is_active = models.BooleanField(default=False)
    blob = models.BinaryField()
    metrics = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.strategy.code} {self.label}"
