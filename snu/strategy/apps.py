from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "snu.strategy"
    label = "strategy"
