"""Kicks deleted with their owner (a cascade) take their stored files with them.

A member's delete and the admin's go through `GeneratedKick.delete_with_presets`, which removes
the file itself; a cascade from deleting the user does not, so its files are removed here once
the deletion has committed.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from kickgen.models import GeneratedKick
from kickgen.storage import StorageUnavailable, get_kick_storage

logger = logging.getLogger(__name__)


def _remove_file(path: str) -> None:
    try:
        get_kick_storage().delete(path)
    except (StorageUnavailable, OSError):
        logger.exception("kickgen left an orphan file %s; remove it by hand", path)


@receiver(post_delete, sender=GeneratedKick, dispatch_uid="kickgen.remove_cascaded_file")
def remove_file_of_cascaded_kick(sender, instance: GeneratedKick, origin=None, **kwargs) -> None:
    if isinstance(origin, GeneratedKick) or getattr(origin, "model", None) is GeneratedKick:
        return  # deleted on purpose: delete_with_presets handles the file
    path = instance.storage_path
    transaction.on_commit(lambda: _remove_file(path))
