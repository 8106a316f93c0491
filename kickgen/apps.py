from django.apps import AppConfig


class KickgenConfig(AppConfig):
    name = "kickgen"
