from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "snu.core"
    label = "core"
    verbose_name = "SNU core"
