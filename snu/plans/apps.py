from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "snu.plans"
    label = "plans"
