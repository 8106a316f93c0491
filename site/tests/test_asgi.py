"""The ASGI application: HTTP through Django, WebSockets only from allowed origins."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator
from kickwithreverb.asgi import application


def run_async(coroutine_function):
    """Run in a fresh event loop on its own thread: the browser tests' Playwright (sync API)
    keeps a loop running on the main thread for the rest of the session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine_function()).result(timeout=30)


def test_http_requests_reach_django():
    async def get():
        communicator = HttpCommunicator(
            application, "GET", "/accounts/login/", headers=[(b"host", b"localhost")]
        )
        return await communicator.get_response(timeout=10)

    response = run_async(get)
    assert response["status"] == 200
    assert b'<form method="post" action="/accounts/login/"' in response["body"]


@pytest.mark.django_db
@pytest.mark.parametrize("origin", [None, b"http://evil.example"])
def test_websockets_from_foreign_or_missing_origins_are_refused(origin):
    headers = [(b"host", b"localhost")]
    if origin:
        headers.append((b"origin", origin))

    async def connect():
        communicator = WebsocketCommunicator(application, "/ws/kickgen/", headers=headers)
        connected, _ = await communicator.connect(timeout=5)
        await communicator.disconnect()
        return connected

    assert run_async(connect) is False
