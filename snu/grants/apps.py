from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "snu.grants"
    label = "grants"
