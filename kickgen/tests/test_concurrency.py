"""Twenty simultaneous reservations on PostgreSQL never exceed a limit."""

import contextlib
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
    assert {refusal.split(" — ")[0] for refusal in refusals} == {"Daily generation limit reached"}
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


def test_total_cap_holds_for_two_tabs_either_side_of_midnight(member, monkeypatch):
    """Each New York day has its own lock row: two requests straddling midnight must still be
    serialised for the member's total cap (both count 29 kicks, both would insert)."""
    from datetime import UTC, datetime

    for i in range(29):
        make_kick(member, f"AI: K{i}")
    midnight = limits.day_bounds(limits.new_york_day(datetime(2026, 3, 10, 12, tzinfo=UTC)))[1]
    counted = threading.Barrier(2, timeout=2)
    usage = limits._usage

    def count_then_wait(user_id, now):
        found = usage(user_id, now)
        # Both have counted before either inserts, unless serialised (then the wait times out).
        with contextlib.suppress(threading.BrokenBarrierError):
            counted.wait()
        return found

    monkeypatch.setattr(limits, "_usage", count_then_wait)

    def attempt(now):
        try:
            reserve_generation(member, now=now, seed=1, keywords="hit house")
            return None
        except LimitReached as refusal:
            return refusal.message
        finally:
            close_old_connections()

    instants = [midnight - limits.timedelta(seconds=1), midnight + limits.timedelta(seconds=1)]
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(attempt, instants))
    assert sorted(outcomes, key=lambda o: o is not None) == [
        None,
        "Delete kicks to generate more (30/30)",
    ]
    assert GenerationJob.objects.filter(user=member).count() == 1
