"""Health checks for GET /health: database, cache, channel layer and kick storage.

Each check returns a small dict (`ok`, `backend`, and `error` when it failed) and never raises,
so one broken part cannot hide the state of the others.
"""

import asyncio
import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache, caches
from django.db import DatabaseError, connection

from kickgen.storage import StorageUnavailable, SupabaseKickStorage, get_kick_storage

from .cache import FallbackRedisCache

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
        backend_cache = caches["default"]
        if isinstance(backend_cache, FallbackRedisCache):
            backend_cache.ping()
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


def check_storage() -> dict:
    storage = get_kick_storage()
    supabase = isinstance(storage, SupabaseKickStorage)
    backend = "supabase" if supabase else "filesystem"
    try:
        storage.check()
    except StorageUnavailable as exc:
        return _failure(backend, exc.__cause__ or exc)  # the cause's class names the problem
    return {"ok": True, "backend": backend, **({"bucket": storage.bucket} if supabase else {})}


def run_checks() -> dict[str, dict]:
    return {
        "database": check_database(),
        "cache": check_cache(),
        "channel_layer": check_channel_layer(),
        "storage": check_storage(),
    }
