from django.apps import AppConfig

# Rows that totals are made of. A save or delete through the ORM moves the data version (after commit);
# bulk writes bypass signals but every import and classification run writes an audit row, which counts too.
COUNTED_MODELS = (
    "grants.Allocation",
    "grants.Organisation",
    "grants.FundingSource",
    "grants.Scheme",
    "classify.Alignment",
    "classify.AlignmentElement",
    "imports.ImportBatch",
    "core.AuditEntry",
)


class AnalyticsConfig(AppConfig):
    name = "snu.analytics"
    label = "analytics"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from snu.core import dataversion

        for model in COUNTED_MODELS:
            post_save.connect(dataversion.on_change, sender=model, dispatch_uid=f"data-version-save-{model}")
            post_delete.connect(dataversion.on_change, sender=model, dispatch_uid=f"data-version-delete-{model}")
