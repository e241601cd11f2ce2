from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "snu.api"
    label = "api"
