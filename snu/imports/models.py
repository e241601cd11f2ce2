"""Import runs and the header mappings people confirm for layouts SNU does not know."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from snu.core.models import AuthorityOwned


class SavedMapping(AuthorityOwned):
    """A confirmed mapping from a file's headers to SNU's fields, reused by name (`snu import --mapping NAME`)."""

    name = models.SlugField(max_length=60, help_text=_("Short name to reuse the mapping with"))
    columns = models.JSONField(default=dict, help_text="Header in the file → SNU field ('' = ignore)")
    constants = models.JSONField(default=dict, blank=True, help_text="SNU field → value for every row")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        verbose_name = _("saved mapping")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["authority", "name"], name="saved_mapping_name")]

    def __str__(self) -> str:
        return self.name


class ImportBatch(AuthorityOwned):
    """One file brought in (or checked): who, when, which file, what happened, and every problem found."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        CHECKED = "checked", _("Checked, nothing saved")
        REFUSED = "refused", _("Refused, nothing saved")
        FAILED = "failed", _("Failed, nothing saved")

    file_name = models.CharField(max_length=300)
    stored_path = models.CharField(max_length=500, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    file_format = models.CharField(max_length=20, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    layout = models.CharField(max_length=40, blank=True)
    headers = models.JSONField(default=list, blank=True)
    columns = models.JSONField(default=dict, blank=True)
    constants = models.JSONField(default=dict, blank=True)
    mapping_name = models.CharField(max_length=60, blank=True)
    strategy_code = models.CharField(max_length=60, blank=True)
    skip_invalid = models.BooleanField(default=False)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    started_by_name = models.CharField(max_length=150, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    total_amount = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    errors = models.JSONField(default=list, blank=True, help_text="The first problems: row, column, value, reason")
    error_count = models.PositiveIntegerField(default=0)
    skipped_path = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("imports:batch", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.CHECKED, self.Status.REFUSED, self.Status.FAILED}

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}
