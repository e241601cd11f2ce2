from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "snu.partners"
    label = "partners"
