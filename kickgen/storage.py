"""Where kick WAVs live, behind Django's storage API.

Filesystem under MEDIA_ROOT/generated-kicks by default (served by kickgen's own view); Supabase
Storage's public bucket when SUPABASE_URL and SUPABASE_SERVICE_KEY are set. Either way a kick is
stored at "{user_id}/{uuid}.wav" and every backend failure surfaces as `StorageUnavailable`.
"""

import logging
import os
import threading
import time
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

logger = logging.getLogger(__name__)
T = TypeVar("T")
WAV_CONTENT_TYPE = "audio/wav"
LOCAL_FOLDER = "generated-kicks"


class StorageUnavailable(Exception):
    """The storage backend refused or could not be reached."""


# Upper bound for one Storage call; a generation's own timeout covers the generator, not this.
STORAGE_TIMEOUT_S = 30.0
# A reachability probe (/health, and before accepting a generation) must answer quickly.
PROBE_TIMEOUT_S = 3.0
# How long a probe's verdict stands before generate asks again: an outage is noticed within
# FAILED_PROBE_TTL_S of its end, and a working store is probed at most every OK_PROBE_TTL_S.
OK_PROBE_TTL_S = 15.0
FAILED_PROBE_TTL_S = 5.0


def kick_path(user_id: int) -> str:
    return f"{user_id}/{uuid.uuid4()}.wav"


@deconstructible
class SupabaseKickStorage(Storage):
    """Supabase Storage through supabase-py: upload (no upsert), public URL, remove, download."""

    def __init__(self, url: str, service_key: str, bucket: str = "generated-kicks") -> None:
        self.bucket = bucket
        self._bucket_url = f"{url.rstrip('/')}/storage/v1/bucket/{bucket}"
        self._auth = {"apikey": service_key, "Authorization": f"Bearer {service_key}"}
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

    def check(self) -> None:
        """Raise StorageUnavailable unless the bucket answers (Storage's GET bucket)."""
        try:
            response = httpx.get(self._bucket_url, headers=self._auth, timeout=PROBE_TIMEOUT_S)
        except httpx.HTTPError as exc:
            raise StorageUnavailable(f"Supabase Storage: {exc!r}") from exc
        if response.status_code != 200:
            problem = RuntimeError(f"bucket answered HTTP {response.status_code}")
            raise StorageUnavailable(f"Supabase Storage: {problem}") from problem


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

    def check(self) -> None:
        """Raise StorageUnavailable unless the folder (or the nearest one to create it in) is
        writable."""
        folder = Path(self.location)
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not (folder.is_dir() and os.access(folder, os.W_OK)):
            problem = PermissionError(f"{folder} is not a writable folder")
            raise StorageUnavailable(f"Filesystem storage: {problem}") from problem


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


class _Probe:
    """The last probe's verdict, shared by this process's requests until it is stale."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._verdict: tuple[float, str | None] | None = None  # (expires, error or None)

    def problem(self) -> str | None:
        """None when storage answered recently; else why it did not."""
        with self._lock:
            if self._verdict is not None and time.monotonic() < self._verdict[0]:
                return self._verdict[1]
            try:
                get_kick_storage().check()
                error = None
            except StorageUnavailable as exc:
                logger.warning("kick storage unavailable: %s", exc)
                error = str(exc)
            ttl = OK_PROBE_TTL_S if error is None else FAILED_PROBE_TTL_S
            self._verdict = (time.monotonic() + ttl, error)
            return error

    def forget(self) -> None:
        with self._lock:
            self._verdict = None


storage_probe = _Probe()


@receiver(setting_changed)
def _forget_storage(*, setting: str, **kwargs: object) -> None:
    if setting in {"SUPABASE_URL", "SUPABASE_SERVICE_KEY", "SUPABASE_BUCKET", "MEDIA_ROOT"}:
        get_kick_storage.cache_clear()
        storage_probe.forget()
