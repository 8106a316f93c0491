"""Sending a member's generation events to their channel-layer group, fast from any thread.

The in-memory layer's queues belong to the server's event loop: a `group_send` run on another
loop (what `async_to_sync` does in a plain thread) is delivered late, up to seconds. So once the
server loop is known (a consumer connected, or a view ran under the ASGI server), every send is
scheduled on it with `run_coroutine_threadsafe`. Without one (WSGI, management commands) the send
runs on a private loop, which channels-redis handles and the in-memory layer has nobody to reach.
"""

import asyncio
import logging
import threading
import time
from concurrent.futures import Future
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_server_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()
_pending_tasks: set[asyncio.Task] = set()


def group_name(user_id: int) -> str:
    return f"kickgen.user.{user_id}"


def bind_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Remember the ASGI server's event loop (called from a consumer or an ASGI request)."""
    global _server_loop
    with _loop_lock:
        _server_loop = loop


async def _running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def bind_server_loop_from_sync_view() -> None:
    """Under daphne a sync view runs in a thread whose `async_to_sync` reaches the server loop."""
    loop = async_to_sync(_running_loop)()
    if loop.is_running():
        bind_server_loop(loop)


class _OutageLog:
    """During a Redis outage pages follow their jobs over HTTP (kickgen.js): one warning every
    OUTAGE_LOG_EVERY_S with the count of lost events, not a line (or traceback) per event."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lost = 0
        self._logged_at = float("-inf")

    def lost(self, error: BaseException) -> None:
        with self._lock:
            self._lost += 1
            if time.monotonic() - self._logged_at < OUTAGE_LOG_EVERY_S:
                return
            count, self._lost, self._logged_at = self._lost, 0, time.monotonic()
        logger.warning(
            "%d kickgen event(s) not delivered: channel layer unavailable (%r)", count, error
        )


OUTAGE_LOG_EVERY_S = 10.0
_outage_log = _OutageLog()


def _report(error: BaseException) -> None:
    if isinstance(error, RedisError | OSError):
        _outage_log.lost(error)
    else:
        logger.error("kickgen event not delivered", exc_info=error)


def _log_failure(future: Future | asyncio.Task) -> None:
    if not future.cancelled() and future.exception() is not None:
        _report(future.exception())


def publish(user_id: int, event_type: str, **payload: Any) -> None:
    """Send `{"type": event_type, "user_id": ..., **payload}` to the member's group."""
    message = {"type": event_type, "user_id": user_id, **payload}
    layer = get_channel_layer()
    loop = _server_loop
    if loop is not None and loop.is_running() and not loop.is_closed():
        try:
            on_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            on_loop = False
        coroutine = layer.group_send(group_name(user_id), message)
        if on_loop:
            task = loop.create_task(coroutine)
            _pending_tasks.add(task)
            task.add_done_callback(_pending_tasks.discard)
            task.add_done_callback(_log_failure)
        else:
            asyncio.run_coroutine_threadsafe(coroutine, loop).add_done_callback(_log_failure)
        return
    try:
        async_to_sync(layer.group_send)(group_name(user_id), message)
    except Exception as error:
        _report(error)
