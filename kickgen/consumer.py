"""The member's live channel: generation events pushed as HTML fragments for htmx's ws extension.

Session-authenticated (AuthMiddlewareStack) and origin-checked (AllowedHostsOriginValidator in
site/asgi.py). Members only: the page renders `ws-connect` for members, so the close-before-accept
(a 403) only meets clients that skipped the page. Each member joins only their own group, and
every handler re-checks the event's owner. On connect the member gets the true current state.
"""

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.contrib.auth.models import AbstractBaseUser

from kickgen import fragments, jobs
from kickgen.events import bind_server_loop, group_name


def _current_state(user: AbstractBaseUser) -> str:
    jobs.sweep_orphans()
    return fragments.kicks_html(fragments.kicks_for(user)) + fragments.current_status_html(user)


class KickgenConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        self.user_id = user.pk
        self.group = group_name(user.pk)
        bind_server_loop(asyncio.get_running_loop())
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(text_data=await database_sync_to_async(_current_state)(user))

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
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
