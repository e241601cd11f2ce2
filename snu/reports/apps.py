from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "snu.reports"
    label = "reports"
