"""Logging in starts the DAW from Init (logging out flushes the whole session anyway)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from . import bar


@receiver(user_logged_in, dispatch_uid="presets.start_from_init")
def start_from_init_on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        bar.start_from_init(request)
