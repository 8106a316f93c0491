"""Twenty simultaneous reservations on PostgreSQL never exceed a limit."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from kickgen import limits
from kickgen.limits import LimitReached, reserve_generation
from kickgen.models import GenerationJob
from kickgen.tests.conftest import make_kick

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://… (row locks)"
    ),
]


def race(users, count=20):
    """`count` threads call reserve_generation at the same instant; returns (ok, refusals)."""
    barrier = threading.Barrier(count)

    def attempt(index):
        barrier.wait()
        try:
            reserve_generation(users[index % len(users)], seed=index, keywords="hit house")
            return None
        except LimitReached as refusal:
            return refusal.message
        finally:
            close_old_connections()

    with ThreadPoolExecutor(count) as pool:
        outcomes = list(pool.map(attempt, range(count)))
    return [o for o in outcomes if o is None], [o for o in outcomes if o is not None]


def test_daily_limit_holds_under_20_parallel_requests(member):
    ok, refusals = race([member])
    assert len(ok) == 10
    assert set(refusals) == {"Daily generation limit reached"}
    assert GenerationJob.objects.filter(user=member).count() == 10


def test_total_cap_holds_under_parallel_requests(member):
    for i in range(25):
        make_kick(member, f"AI: K{i}")
    ok, refusals = race([member])
    assert len(ok) == 5
    assert set(refusals) == {"Delete kicks to generate more (30/30)"}


def test_global_limit_holds_across_members(member, other_member, django_user_model, monkeypatch):
    monkeypatch.setattr(limits, "GLOBAL_DAILY_LIMIT", 7)
    third = django_user_model.objects.create_user("carla", "carla@example.com", "kick-pass-789")
    ok, refusals = race([member, other_member, third])
    assert len(ok) == 7
    assert set(refusals) == {"Generation temporarily unavailable, try again tomorrow"}
    assert GenerationJob.objects.count() == 7
