"""Real daphne processes and a real WebSocket client: progress events stream to the member as
they are sent (in order, spread over the job rather than held until it ends), with the
in-memory layer (one process) and with channels-redis across two processes. Latency figures
belong to the benchmark (kickgen.tests.bench_generation), not to a timed assertion."""

import re
import time
import uuid

import pytest
import redis

from kickgen.tests.live import Member

REDIS_URL = "redis://127.0.0.1:6379/2"
SENT = re.compile(r'data-sent-ms="(\d+)"')
STEP = re.compile(r'<progress[^>]*value="(\d+)"')


def redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL).ping())
    except redis.RedisError:
        return False


def collect(socket, until: float = 20.0) -> list[tuple[float, str]]:
    """Messages with their arrival time (ms since the epoch) until the new kick is pushed."""
    received = []
    deadline = time.monotonic() + until
    while time.monotonic() < deadline:
        message = socket.recv(timeout=max(0.1, deadline - time.monotonic()))
        received.append((time.time() * 1000, message))
        if 'id="kickgen-select"' in message or 'data-state="failed"' in message:
            return received
    raise AssertionError(f"no finished kick within {until}s: {received[-3:]}")


def generate_and_watch(member: Member, post_to: str, watch_on: str):
    with member.socket(watch_on) as socket:
        socket.recv(timeout=10)  # the state on connect
        answer = member.generate(post_to, keywords="hit")
        assert answer.status_code == 202, answer.text
        return collect(socket)


def assert_live(messages):
    progress = [(arrived, m) for arrived, m in messages if "<progress" in m]
    assert [int(STEP.search(m).group(1)) for _, m in progress] == list(range(1, 21))
    sent = [int(SENT.search(m).group(1)) for _, m in progress]
    arrived = [a for a, _ in progress]
    latencies = [round(a - s) for a, s in zip(arrived, sent, strict=True)]
    # 20 events 25 ms apart: held back and flushed together, they would arrive within a few ms
    # of each other; streamed, they arrive about as far apart as they were sent.
    assert arrived[-1] - arrived[0] >= 0.5 * (sent[-1] - sent[0]), f"latencies (ms): {latencies}"
    done = messages[-1][1]
    assert 'data-reason="generated"' in done and "AI: " in done
    assert 'id="kick-select"' in done
    return latencies


@pytest.mark.slow
def test_in_memory_layer_under_daphne(paced_cluster):
    server = paced_cluster(1)
    member = Member(server.urls[0], f"m{uuid.uuid4().hex[:8]}")
    assert_live(generate_and_watch(member, server.urls[0], server.urls[0]))


@pytest.mark.slow
@pytest.mark.skipif(not redis_up(), reason=f"needs Redis at {REDIS_URL}")
def test_redis_layer_across_two_daphne_processes(paced_cluster):
    server = paced_cluster(2, REDIS_URL)
    member = Member(server.urls[0], f"m{uuid.uuid4().hex[:8]}")
    # The job runs in process 0; the member's socket lives in process 1.
    assert_live(generate_and_watch(member, server.urls[0], server.urls[1]))
