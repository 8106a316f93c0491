"""Health checks for GET /health: database, cache, channel layer and kick storage.

Each check returns a small dict (`ok`, `backend`, and `error` when it failed) and never raises,
so one broken part cannot hide the state of the others.
"""

import asyncio
import logging
import os
import uuid
from pathlib import Path

import httpx
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

STORAGE_TIMEOUT_S = 3.0
LAYER_TIMEOUT_S = 2.0


def _failure(backend: str, exc: BaseException) -> dict:
    """The error's class only: /health is public, so hosts and credentials stay in the log."""
    logger.warning("health check failed for %s: %s", backend, exc)
    return {"ok": False, "backend": backend, "error": type(exc).__name__}


def check_database() -> dict:
    backend = connection.vendor
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return _failure(backend, exc)
    return {"ok": True, "backend": backend}


def check_cache() -> dict:
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    key = f"health:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:  # any client error (connection refused, timeout) means "down"
        return _failure(backend, exc)
    if not ok:
        return _failure(backend, LookupError("a value written to the cache did not read back"))
    return {"ok": True, "backend": backend}


async def _layer_roundtrip() -> bool:
    layer = get_channel_layer()
    channel = await layer.new_channel("health.")
    await layer.send(channel, {"type": "health.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=LAYER_TIMEOUT_S)
    return message.get("type") == "health.ping"


def check_channel_layer() -> dict:
    layer = get_channel_layer()
    backend = type(layer).__name__
    try:
        ok = async_to_sync(_layer_roundtrip)()
    except Exception as exc:  # redis errors, timeouts
        return _failure(backend, exc)
    return {"ok": ok, "backend": backend}


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_storage() -> dict:
    if settings.SUPABASE_URL:
        backend = "supabase"
        url = f"{settings.SUPABASE_URL.rstrip('/')}/storage/v1/bucket/{settings.SUPABASE_BUCKET}"
        headers = {
            "apikey": settings.SUPABASE_SERVICE_KEY,
            "Authorization": f"Bearer {settings.SUPABASE_SERVICE_KEY}",
        }
        try:
            response = httpx.get(url, headers=headers, timeout=STORAGE_TIMEOUT_S)
        except httpx.HTTPError as exc:
            return _failure(backend, exc)
        if response.status_code != 200:
            return _failure(backend, RuntimeError(f"bucket answered HTTP {response.status_code}"))
        return {"ok": True, "backend": backend, "bucket": settings.SUPABASE_BUCKET}
    backend = "filesystem"
    root = Path(settings.MEDIA_ROOT)
    writable_dir = _nearest_existing(root)
    if not os.access(writable_dir, os.W_OK):
        return _failure(backend, PermissionError(f"{writable_dir} is not writable"))
    return {"ok": True, "backend": backend}


def run_checks() -> dict[str, dict]:
    return {
        "database": check_database(),
        "cache": check_cache(),
        "channel_layer": check_channel_layer(),
        "storage": check_storage(),
    }
