"""Production behaviour against real daphne processes, a real redis-server and WebSocket clients:
sockets that stay up past Redis's read timeouts, a burst of 500 sockets, a Redis outage and
restart under a running app, and sockets that end with their session."""

import asyncio
import re
import time
import uuid

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from kickgen.consumer import CLOSE_TRY_AGAIN_LATER
from kickgen.tests.live import Member, sign_in
from testsupport.live_server import run_in_own_loop
from testsupport.redis_server import REDIS_SERVER

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs Debian's redis-server binary"),
]

POLL = re.compile(r'data-poll="([^"]+)"')


def new_member(url: str) -> Member:
    return Member(url, f"m{uuid.uuid4().hex[:10]}")


def until_done(socket: ClientConnection, seconds: float = 20.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        message = socket.recv(timeout=max(0.1, deadline - time.monotonic()))
        if 'id="kickgen-select"' in message:
            return message
    raise AssertionError("no finished kick on the socket")


def close_code(socket: ClientConnection, seconds: float) -> int:
    """Reads until the server closes the socket; its close code."""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            socket.recv(timeout=max(0.1, deadline - time.monotonic()))
    except ConnectionClosed as closed:
        return closed.rcvd.code
    raise AssertionError(f"the socket stayed open for {seconds} s")


def follow_job_over_http(member: Member, answer: httpx.Response, seconds: float = 20.0) -> str:
    """What kickgen.js does with its socket down: GET the job's state until it is done."""
    url = POLL.search(answer.text).group(1)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = member.http.get(url, headers={"HX-Request": "true"})
        assert state.status_code == 200, state.text
        if 'data-reason="generated"' in state.text:
            return state.text
        assert 'data-state="failed"' not in state.text, state.text
        time.sleep(0.2)
    raise AssertionError("the job did not finish")


def test_an_idle_socket_outlives_redis_read_timeouts(paced_cluster, redis_server):
    """channels-redis blocks 5 s per read and redis-py 8 used to time out at 5 s: held 35 s,
    the socket must still be open and deliver a whole generation."""
    server = paced_cluster(1, redis_server.url)
    member = new_member(server.urls[0])
    with member.socket() as socket:
        socket.recv(timeout=10)  # the state on connect
        with pytest.raises(TimeoutError):
            socket.recv(timeout=35)  # nothing arrives, and nothing closes the socket
        assert member.generate(keywords="hit").status_code == 202
        assert "AI: " in until_done(socket)


def test_500_sockets_opened_at_once_all_connect(paced_cluster, redis_server):
    server = paced_cluster(1, redis_server.url)
    member = new_member(server.urls[0])
    url = server.urls[0].replace("http://", "ws://") + "/ws/kickgen/"
    headers = {"Cookie": member.cookie_header, "Origin": server.urls[0]}

    async def open_one() -> str:
        async with websockets.connect(url, additional_headers=headers, open_timeout=60) as ws:
            return await asyncio.wait_for(ws.recv(), timeout=60)

    async def open_all() -> list:
        return await asyncio.gather(*(open_one() for _ in range(500)), return_exceptions=True)

    results = run_in_own_loop(open_all())
    failures = [result for result in results if isinstance(result, BaseException)]
    assert not failures, f"{len(failures)} of 500 failed, e.g. {failures[:3]}"
    assert all('id="kickgen-status"' in state for state in results)
    assert "Too many connections" not in server_logs(server)


def server_logs(server) -> str:
    return "".join(path.read_text(errors="replace") for path in server.workdir.glob("daphne-*.log"))


def test_a_redis_outage_degrades_and_a_restart_recovers(paced_cluster, redis_server):
    server = paced_cluster(1, redis_server.url)
    url = server.urls[0]
    member = new_member(url)
    socket = member.socket()
    socket.recv(timeout=10)

    redis_server.stop()
    # The open socket is closed with "try again later", which htmx's ws extension retries
    # with a growing delay; a new one is refused the same way, not with a 500.
    assert close_code(socket, 15) == CLOSE_TRY_AGAIN_LATER
    with member.socket() as refused:
        assert close_code(refused, 10) == CLOSE_TRY_AGAIN_LATER

    # Pages, sign-up, login and generate keep answering; the job reaches the page over HTTP.
    assert httpx.get(f"{url}/").status_code == 200
    health = httpx.get(f"{url}/health")
    assert health.status_code == 200 and health.json()["status"] == "degraded"
    newcomer = f"m{uuid.uuid4().hex[:10]}"
    Member(url, newcomer)  # sign-up
    sign_in(url, newcomer).close()
    answer = member.generate(keywords="hit")
    assert answer.status_code == 202, answer.text
    assert "AI: " in follow_job_over_http(member, answer)

    redis_server.start()  # same port, empty: every group membership is gone
    with member.socket() as socket:
        assert 'id="kickgen-status"' in socket.recv(timeout=10)
        assert member.generate(keywords="hit").status_code == 202
        assert "AI: " in until_done(socket)
    assert "Internal Server Error" not in server_logs(server)
    assert " 500 " not in server_logs(server)
