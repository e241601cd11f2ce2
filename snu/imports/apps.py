from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "snu.imports"
    label = "imports"
