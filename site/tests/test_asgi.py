"""The ASGI application: HTTP through Django, WebSockets only from allowed origins."""

import pytest
from channels.testing import HttpCommunicator, WebsocketCommunicator
from kickwithreverb.asgi import application

from testsupport.live_server import run_in_own_loop


def test_http_requests_reach_django():
    async def get():
        communicator = HttpCommunicator(
            application, "GET", "/accounts/login/", headers=[(b"host", b"localhost")]
        )
        return await communicator.get_response(timeout=10)

    response = run_in_own_loop(get())
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

    assert run_in_own_loop(connect()) is False
