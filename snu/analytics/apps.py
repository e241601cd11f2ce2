from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "snu.analytics"
    label = "analytics"

    def ready(self) -> None:
        # A save through the ORM makes the next read re-check the DuckDB snapshot's fingerprint at once;
        # bulk loads (no signals) are caught by the fingerprint check within FRESH_TTL seconds.
        from django.db.models.signals import post_delete, post_save

        from snu.analytics import snapshot

        for model in ("grants.Allocation", "classify.Alignment", "classify.AlignmentElement"):
            post_save.connect(snapshot.mark_stale, sender=model, dispatch_uid=f"analytics-stale-save-{model}")
            post_delete.connect(snapshot.mark_stale, sender=model, dispatch_uid=f"analytics-stale-delete-{model}")
