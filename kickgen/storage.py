"""Where kick WAVs live, behind Django's storage API.

Filesystem under MEDIA_ROOT/generated-kicks by default (served by kickgen's own view); Supabase
Storage's public bucket when SUPABASE_URL and SUPABASE_SERVICE_KEY are set. Either way a kick is
stored at "{user_id}/{uuid}.wav" and every backend failure surfaces as `StorageUnavailable`.
"""

import uuid
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

import httpx
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.deconstruct import deconstructible
from storage3._sync.file_api import SyncBucketProxy
from storage3.exceptions import StorageApiError
from storage3.utils import StorageException
from supabase import create_client
from supabase.lib.client_options import SyncClientOptions

T = TypeVar("T")
WAV_CONTENT_TYPE = "audio/wav"
LOCAL_FOLDER = "generated-kicks"


class StorageUnavailable(Exception):
    """The storage backend refused or could not be reached."""


# Upper bound for one Storage call; a generation's own timeout covers the generator, not this.
STORAGE_TIMEOUT_S = 30.0


def kick_path(user_id: int) -> str:
    return f"{user_id}/{uuid.uuid4()}.wav"


@deconstructible
class SupabaseKickStorage(Storage):
    """Supabase Storage through supabase-py: upload (no upsert), public URL, remove, download."""

    def __init__(self, url: str, service_key: str, bucket: str = "generated-kicks") -> None:
        self.bucket = bucket
        # Our own httpx client: an explicit timeout, and not supabase-py's deprecated
        # timeout/verify arguments.
        options = SyncClientOptions(httpx_client=httpx.Client(timeout=STORAGE_TIMEOUT_S))
        self._client = create_client(url, service_key, options=options)

    @property
    def _bucket(self) -> SyncBucketProxy:
        return self._client.storage.from_(self.bucket)

    def _call(self, operation: Callable[..., T], *args: object, **kwargs: object) -> T:
        try:
            return operation(*args, **kwargs)
        except (StorageApiError, StorageException, httpx.HTTPError) as exc:
            raise StorageUnavailable(f"Supabase Storage: {exc}") from exc

    def _save(self, name: str, content: File) -> str:
        content.seek(0)
        data = content.read()
        self._call(
            self._bucket.upload,
            name,
            data,
            {"content-type": WAV_CONTENT_TYPE, "upsert": "false"},
        )
        return name

    def _open(self, name: str, mode: str = "rb") -> File:
        return ContentFile(self._call(self._bucket.download, name), name=name)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        # Paths carry a fresh UUID and uploads never overwrite ("upsert": "false").
        return name

    def exists(self, name: str) -> bool:
        try:
            self._bucket.download(name)
        except StorageApiError as exc:
            if str(getattr(exc, "status", "")) in {"400", "404"}:
                return False
            raise StorageUnavailable(f"Supabase Storage: {exc}") from exc
        except (StorageException, httpx.HTTPError) as exc:
            raise StorageUnavailable(f"Supabase Storage: {exc}") from exc
        return True

    def delete(self, name: str) -> None:
        self._call(self._bucket.remove, [name])

    def url(self, name: str) -> str:
        return self._bucket.get_public_url(name)


@deconstructible
class LocalKickStorage(FileSystemStorage):
    """The filesystem default; OS errors become StorageUnavailable like Supabase's."""

    def _save(self, name: str, content: File) -> str:
        try:
            return super()._save(name, content)
        except OSError as exc:
            raise StorageUnavailable(f"Filesystem storage: {exc}") from exc

    def delete(self, name: str) -> None:
        try:
            super().delete(name)
        except OSError as exc:
            raise StorageUnavailable(f"Filesystem storage: {exc}") from exc


@cache
def get_kick_storage() -> Storage:
    if settings.SUPABASE_URL and settings.SUPABASE_SERVICE_KEY:
        return SupabaseKickStorage(
            settings.SUPABASE_URL, settings.SUPABASE_SERVICE_KEY, settings.SUPABASE_BUCKET
        )
    # site/urls.py serves MEDIA_URL whenever Supabase is not configured.
    return LocalKickStorage(
        location=Path(settings.MEDIA_ROOT) / LOCAL_FOLDER,
        base_url=f"/{settings.MEDIA_URL.strip('/')}/{LOCAL_FOLDER}/",
    )


@receiver(setting_changed)
def _forget_storage(*, setting: str, **kwargs: object) -> None:
    if setting in {"SUPABASE_URL", "SUPABASE_SERVICE_KEY", "SUPABASE_BUCKET", "MEDIA_ROOT"}:
        get_kick_storage.cache_clear()
