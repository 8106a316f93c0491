"""Ending a member's live sockets with their session: logout, password change, deactivation.

A socket is authenticated once, when it connects; these signals tell the member's open sockets
(`kickgen.consumer`) that a session ended or that the account changed under them.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from kickgen.events import publish


@receiver(user_logged_out, dispatch_uid="kickgen.close_sockets_on_logout")
def close_sockets_of_session(sender, request: HttpRequest, user, **kwargs) -> None:
    if user is not None and request.session.session_key:
        publish(user.pk, "session.ended", session_key=request.session.session_key)


@receiver(post_save, sender=get_user_model(), dispatch_uid="kickgen.recheck_sockets_on_change")
def recheck_sockets_of_member(
    sender, instance, created: bool, update_fields=None, **kwargs
) -> None:
    """A password or is_active change invalidates sessions; login's last_login stamp does not."""
    if created or (update_fields is not None and set(update_fields) == {"last_login"}):
        return
    user_id = instance.pk
    transaction.on_commit(lambda: publish(user_id, "session.check"))
