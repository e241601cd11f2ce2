from django.apps import AppConfig

# Rows that totals and panels are made of (and the names they show). A save or delete through the ORM moves
# the data version after commit (alignment and strategy rows move it alone; the others move the allocation
# version too, see `snu.core.dataversion`). Bulk writes bypass signals: an import saves its ImportBatch when it
# ends, and `snu classify` moves the data version itself. Edits elsewhere (plans, partners, signals) do not
# count here: they would only throw kept figures away; they move the edit version through their audit entries.
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
