from django.apps import AppConfig


class PresetsConfig(AppConfig):
    name = "presets"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the login receiver)
