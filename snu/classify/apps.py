from django.apps import AppConfig


class ClassifyConfig(AppConfig):
    name = "snu.classify"
    label = "classify"
