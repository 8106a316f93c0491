"""The member's WebSocket: auth, origin, own events only, state on connect, both channel layers,
and delivery from a worker thread within 100 ms."""

import asyncio
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from kickgen import events, fragments
from kickgen.jobs.runner import JobRunner
from kickgen.limits import reserve_generation
from kickgen.tests.conftest import make_kick

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_URL = "redis://127.0.0.1:6379/2"
LAYERS = {
    "memory": {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
    "redis": {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    },
}


@pytest.fixture(params=sorted(LAYERS))
def layer(request, settings):
    settings.CHANNEL_LAYERS = LAYERS[request.param]
    return request.param


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def communicator(cookie: bytes | None, origin: bytes = b"http://localhost"):
    from kickwithreverb.asgi import application

    headers = [(b"origin", origin)]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, "/ws/kickgen/", headers=headers)


def test_guest_is_refused():
    async def scenario():
        socket = communicator(None)
        connected, _ = await socket.connect()
        assert connected is False

    async_to_sync(scenario)()


def test_foreign_origin_is_refused(member):
    cookie = session_cookie(member)

    async def scenario():
        socket = communicator(cookie, origin=b"http://evil.example")
        connected, _ = await socket.connect()
        assert connected is False

    async_to_sync(scenario)()


def test_connect_pushes_the_true_state(member, layer):
    make_kick(member, "AI: Ute")
    job, _ = reserve_generation(member, seed=3, keywords="hit house")
    cookie = session_cookie(member)

    async def scenario():
        socket = communicator(cookie)
        connected, _ = await socket.connect()
        assert connected
        state = await socket.receive_from(timeout=5)
        await socket.disconnect()
        return state

    state = async_to_sync(scenario)()
    assert 'id="kickgen-kicks"' in state and "AI: Ute" in state
    assert 'id="kickgen-status"' in state
    assert f'data-job="{job.pk}"' in state
    assert "Waiting for the generator" in state


def test_member_gets_only_their_own_events(member, other_member, layer):
    mine, theirs = session_cookie(member), session_cookie(other_member)

    async def scenario():
        me = communicator(mine)
        them = communicator(theirs)
        assert (await me.connect())[0] and (await them.connect())[0]
        await me.receive_from(timeout=5)
        await them.receive_from(timeout=5)
        html = fragments.status_html("running", job_id="j1", step=2, total=10)
        await asyncio.to_thread(
            events.publish, other_member.pk, "kick.progress", job_id="j1", html=html
        )
        # A forged event addressed to my group but naming another owner is dropped too.
        await get_channel_layer().group_send(
            events.group_name(member.pk),
            {"type": "kick.progress", "user_id": other_member.pk, "html": "<div id='x'></div>"},
        )
        received_by_them = await them.receive_from(timeout=5)
        assert await me.receive_nothing(timeout=0.3)
        await me.disconnect()
        await them.disconnect()
        return received_by_them

    received = async_to_sync(scenario)()
    assert 'id="kickgen-status"' in received and 'value="2" max="10"' in received


def test_events_from_a_worker_thread_reach_the_socket_one_by_one(member, layer):
    """Like a job: a plain thread publishes while the consumer runs on the server loop. The
    thread waits for each event to reach the socket before sending the next, so an event held
    back until the thread ends (or until more arrive) fails the test instead of slowing it."""
    cookie = session_cookie(member)
    received = [threading.Event() for _ in range(20)]
    delivered_while_running: list[bool] = []

    async def scenario():
        socket = communicator(cookie)
        assert (await socket.connect())[0]
        await socket.receive_from(timeout=5)

        def worker():
            for step in range(1, 21):
                events.publish(
                    member.pk,
                    "kick.progress",
                    job_id="j",
                    html=fragments.status_html("running", job_id="j", step=step, total=20),
                )
                delivered_while_running.append(received[step - 1].wait(5))

        thread = threading.Thread(target=worker)
        thread.start()
        for step in range(1, 21):
            message = await socket.receive_from(timeout=10)
            assert f'value="{step}"' in message
            received[step - 1].set()
        thread.join()
        await socket.disconnect()

    async_to_sync(scenario)()
    assert delivered_while_running == [True] * 20


def test_whole_job_reports_progress_and_the_new_kick(member, scripted, settings, layer):
    """A real job through the pool: queued/started/progress events, then the kick fragments."""
    cookie = session_cookie(member)
    settings.KICKGEN_MAX_PARALLEL = 1
    scripted.steps = 5
    runner = JobRunner(1)

    async def scenario():
        socket = communicator(cookie)
        assert (await socket.connect())[0]
        await socket.receive_from(timeout=5)
        job, _ = await asyncio.to_thread(reserve_generation, member, seed=5, keywords="hit house")
        runner.submit(job)
        messages = []
        while True:
            message = await socket.receive_from(timeout=10)
            messages.append(message)
            if 'id="kickgen-select"' in message or "failed" in message:
                break
        await socket.disconnect()
        return job, messages

    job, messages = async_to_sync(scenario)()
    progress = [m for m in messages if "<progress" in m]
    assert len(progress) == 5
    done = messages[-1]
    kick = job.__class__.objects.get(pk=job.pk).kick
    assert f'value="{kick.pk}"' in done and "selected" in done
    assert 'id="kickgen-kicks"' in done and 'id="kickgen-info"' in done
    assert 'data-state="idle"' in done
