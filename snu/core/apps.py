from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "snu.core"
    label = "core"
    verbose_name = "SNU core"

    def ready(self) -> None:
        from django.core import signals
        from django.db.models.signals import post_save

        from snu.core import dataversion

        post_save.connect(dataversion.on_audited, sender="core.AuditEntry", dispatch_uid="snu-edit-version")
        signals.request_started.connect(dataversion.request_started, dispatch_uid="snu-dataversion-start")
        signals.request_finished.connect(dataversion.request_finished, dispatch_uid="snu-dataversion-end")
