from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "snu.analytics"
    label = "analytics"
