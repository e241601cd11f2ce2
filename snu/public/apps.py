from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "snu.public"
    label = "public"
