from django.apps import AppConfig

# Rows that totals and panels are made of (and the names they show). A save or delete through the ORM moves
# the data version after commit. Bulk writes bypass signals: an import saves its ImportBatch when it ends,
# and `snu classify` calls `snapshot.mark_stale()`. Edits elsewhere (plans, partners, signals) do not count:
# they would only throw kept figures away.
COUNTED_MODELS = (
    "grants.Allocation",
    "grants.Organisation",
    "grants.FundingSource",
    "grants.Scheme",
    "grants.Municipality",
    "classify.Alignment",
    "classify.AlignmentElement",
    "imports.ImportBatch",
    "strategy.Strategy",
    "strategy.Element",
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
