"""Django's Redis cache that keeps answering while Redis is down.

The cache holds rate-limit counters only (allauth's login/signup limits, the generate burst
limit); sessions live in the database. When Redis refuses or times out, each call is answered by
a per-process local-memory cache instead and a warning is logged, so the limits keep working
per process — as they do on the embedded default — instead of turning login and generate into
500s. After a failure Redis is left alone for `RETRY_AFTER_S`, so an unreachable host costs one
connect timeout per interval rather than one per call.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 5.0
OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


class FallbackRedisCache(RedisCache):
    """RedisCache whose every operation falls back to a local cache during a Redis outage."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        local_params = {key: params[key] for key in ("TIMEOUT", "KEY_PREFIX") if key in params}
        self.fallback = LocMemCache(f"redis-fallback-{id(self)}", local_params)
        self._lock = threading.Lock()
        self._down_until = 0.0

    @property
    def redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def ping(self) -> None:
        """Raise unless Redis itself answers (for /health: the fallback would hide an outage)."""
        self._cache.get_client(write=True).ping()

    def _either(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if not self.redis_down:
            redis_call: Callable[..., Any] = getattr(super(), name)
            try:
                return redis_call(*args, **kwargs)
            except OUTAGE_ERRORS as exc:
                self._mark_down(exc)
        return getattr(self.fallback, name)(*args, **kwargs)

    def _mark_down(self, exc: BaseException) -> None:
        with self._lock:
            was_up = not self.redis_down
            self._down_until = time.monotonic() + RETRY_AFTER_S
        if was_up:
            logger.warning(
                "Redis cache unreachable (%s: %s); rate limits count per process until it is back",
                type(exc).__name__,
                exc,
            )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._either("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._either("delete", key, version)

    def get_many(self, keys, version=None):
        return self._either("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._either("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._either("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._either("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._either("delete_many", keys, version)

    def clear(self):
        return self._either("clear")
