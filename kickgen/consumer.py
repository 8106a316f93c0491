"""The member's live channel: generation events pushed as HTML fragments for htmx's ws extension.

Session-authenticated (AuthMiddlewareStack) and origin-checked (AllowedHostsOriginValidator in
site/asgi.py). Members only: the page renders `ws-connect` for members, so the close-before-accept
(a 403) only meets clients that skipped the page. Each member joins only their own group, and
every handler re-checks the event's owner. On connect the member gets the true current state.

The socket lives no longer than its session: a logout closes the sockets of that session, and a
password change or deactivation makes every socket of the member re-check its session
(`kickgen.sessions`) — after a password change none passes, as Django gives the changer's
session a new key and its page reloads anyway. When the channel layer (Redis) fails, the
socket closes with 4503 "try again later": kickgen.js reconnects after a growing, jittered
delay, and meanwhile the page follows its job over HTTP.
"""

import asyncio
import contextlib
import logging
from importlib import import_module

from channels.auth import get_user
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.backends.base import SessionBase
from redis.exceptions import RedisError

from kickgen import fragments
from kickgen.events import bind_server_loop, group_name
from kickgen.jobs.orphans import sweep_orphans

logger = logging.getLogger(__name__)

# Application close codes (daphne sends only 1000 and 3000-4999). htmx's ws extension
# reconnects on neither: after 4401 nothing should; on 4503 kickgen.js reconnects with backoff.
CLOSE_SESSION_ENDED = 4401
CLOSE_TRY_AGAIN_LATER = 4503
LAYER_ERRORS = (RedisError, OSError)


def _current_state(user: AbstractBaseUser) -> str:
    sweep_orphans()
    return fragments.kicks_html(fragments.kicks_for(user)) + fragments.current_status_html(user)


def _fresh_session(session_key: str | None) -> SessionBase:
    """The session as the store holds it now (the scope keeps the one read at connect)."""
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


class KickgenConsumer(AsyncWebsocketConsumer):
    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except LAYER_ERRORS as exc:
            # The layer's receive loop failed (Redis down or restarted, which also forgets
            # the group): close so the page reconnects and rejoins once Redis answers.
            logger.warning("kickgen socket closed: channel layer failed (%r)", exc)
            await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        self.user_id = user.pk
        self.session_key = self.scope["session"].session_key
        bind_server_loop(asyncio.get_running_loop())
        await self.accept()
        try:
            await self.channel_layer.group_add(group_name(user.pk), self.channel_name)
        except LAYER_ERRORS as exc:
            logger.warning("kickgen socket refused: channel layer unavailable (%r)", exc)
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        self.group = group_name(user.pk)
        await self.send(text_data=await database_sync_to_async(_current_state)(user))

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            # With Redis down the membership is left to expire (channels-redis group_expiry).
            with contextlib.suppress(LAYER_ERRORS):
                await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """The page never sends on this socket; anything received is ignored."""

    async def _forward(self, event: dict) -> None:
        if event.get("user_id") == self.user_id:
            await self.send(text_data=event["html"])

    async def kick_queued(self, event: dict) -> None:
        await self._forward(event)

    async def kick_started(self, event: dict) -> None:
        await self._forward(event)

    async def kick_progress(self, event: dict) -> None:
        await self._forward(event)

    async def kick_done(self, event: dict) -> None:
        await self._forward(event)

    async def kick_failed(self, event: dict) -> None:
        await self._forward(event)

    async def session_ended(self, event: dict) -> None:
        """A logout: close the sockets of that session."""
        if event.get("user_id") == self.user_id and event.get("session_key") == self.session_key:
            await self.close(code=CLOSE_SESSION_ENDED)

    async def session_check(self, event: dict) -> None:
        """The member's password or account changed: close unless this session still signs in."""
        if event.get("user_id") != self.user_id:
            return
        user = await get_user({"session": _fresh_session(self.session_key)})
        if user.pk != self.user_id:
            await self.close(code=CLOSE_SESSION_ENDED)
