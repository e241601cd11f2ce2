from django.apps import AppConfig


class SignalsConfig(AppConfig):
    name = "snu.signals"
    label = "snu_signals"
