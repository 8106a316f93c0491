from datetime import UTC, datetime, timedelta

import pytest

from kickgen import limits
from kickgen.limits import LimitReached, reserve_generation, usage_for
from kickgen.models import GenerationJob
from kickgen.tests.conftest import make_kick

pytestmark = pytest.mark.django_db

# 2026 DST changes in New York: spring forward on 8 March, fall back on 1 November.
SPRING_DAY = datetime(2026, 3, 8, tzinfo=limits.NEW_YORK)
FALL_DAY = datetime(2026, 11, 1, tzinfo=limits.NEW_YORK)


def reserve(user, now, **fields):
    return reserve_generation(user, now=now, seed=7, keywords="hit house", **fields)


def fill(user, count, now):
    for _ in range(count):
        reserve(user, now)


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (datetime(2026, 3, 8, 4, 59, tzinfo=UTC), "2026-03-07"),  # 23:59 EST on the 7th
        (datetime(2026, 3, 8, 5, 0, tzinfo=UTC), "2026-03-08"),  # 00:00 EST
        (datetime(2026, 3, 9, 3, 59, tzinfo=UTC), "2026-03-08"),  # 23:59 EDT: a 23-hour day
        (datetime(2026, 3, 9, 4, 0, tzinfo=UTC), "2026-03-09"),  # 00:00 EDT
        (datetime(2026, 11, 1, 3, 59, tzinfo=UTC), "2026-10-31"),  # 23:59 EDT
        (datetime(2026, 11, 1, 4, 0, tzinfo=UTC), "2026-11-01"),  # 00:00 EDT
        (datetime(2026, 11, 2, 4, 59, tzinfo=UTC), "2026-11-01"),  # 23:59 EST: a 25-hour day
        (datetime(2026, 11, 2, 5, 0, tzinfo=UTC), "2026-11-02"),  # 00:00 EST
    ],
)
def test_day_is_new_york_calendar_day_across_dst(instant, day):
    assert limits.new_york_day(instant).isoformat() == day


def test_dst_days_are_23_and_25_hours_long():
    spring = limits.day_bounds(SPRING_DAY.date())
    fall = limits.day_bounds(FALL_DAY.date())
    assert spring[1] - spring[0] == timedelta(hours=23)
    assert fall[1] - fall[0] == timedelta(hours=25)


@pytest.mark.parametrize(
    ("instant", "label"),
    [
        (datetime(2026, 3, 8, 6, 30, tzinfo=UTC), "12:00 AM EDT"),  # 01:30 EST, resets in EDT
        (datetime(2026, 3, 7, 12, 0, tzinfo=UTC), "12:00 AM EST"),
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "12:00 AM EDT"),
        (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), "12:00 AM EST"),  # 01:30 EDT, resets in EST
        (datetime(2026, 12, 1, 12, 0, tzinfo=UTC), "12:00 AM EST"),
    ],
)
def test_reset_label_names_the_zone_at_the_next_midnight(instant, label):
    assert limits.reset_label(instant) == label


@pytest.mark.parametrize("day_start", [SPRING_DAY, FALL_DAY])
def test_daily_limit_resets_exactly_at_new_york_midnight_on_dst_days(member, day_start):
    _, end = limits.day_bounds(day_start.date())
    last_minute = end - timedelta(minutes=1)
    fill(member, 9, day_start + timedelta(minutes=1))
    reserve(member, last_minute)  # the 10th, in the last minute of the long or short day
    with pytest.raises(LimitReached) as refused:
        reserve(member, end - timedelta(seconds=1))
    reset = limits.reset_label(end - timedelta(seconds=1))
    assert refused.value.message == f"Daily generation limit reached — more at {reset}"
    assert refused.value.status == 429
    job, usage = reserve(member, end)  # the first instant of the next day
    assert job.status == GenerationJob.Status.PENDING
    assert usage.today == 1


def test_daily_limit_counts_yesterday_evening_in_yesterday(member):
    evening = datetime(2026, 3, 8, 4, 30, tzinfo=UTC)  # 23:30 EST on 7 March
    fill(member, 10, evening)
    _, usage = reserve(member, datetime(2026, 3, 8, 5, 1, tzinfo=UTC))
    assert usage.today == 1


def test_total_cap_counts_kicks_and_running_jobs(member):
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    for i in range(28):
        make_kick(member, f"AI: K{i}")
    reserve(member, now)
    reserve(member, now)
    with pytest.raises(LimitReached) as refused:
        reserve(member, now)
    assert refused.value.message == "Delete kicks to generate more (30/30)"
    assert refused.value.status == 409


def test_total_cap_is_checked_before_the_daily_limit(member):
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    fill(member, 10, now)
    for i in range(20):
        make_kick(member, f"AI: K{i}")
    with pytest.raises(LimitReached, match=r"Delete kicks to generate more \(30/30\)"):
        reserve(member, now)


def test_failed_jobs_consume_no_quota(member):
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    fill(member, 10, now)
    GenerationJob.objects.filter(user=member).update(status=GenerationJob.Status.FAILED)
    assert usage_for(member, now).today == 0
    assert usage_for(member, now).total == 0
    fill(member, 10, now)
    with pytest.raises(LimitReached):
        reserve(member, now)


def test_done_jobs_keep_counting_today_after_their_kick_is_deleted(member):
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    fill(member, 10, now)
    GenerationJob.objects.filter(user=member).update(status=GenerationJob.Status.DONE)
    assert usage_for(member, now).total == 0
    with pytest.raises(LimitReached, match="Daily generation limit reached"):
        reserve(member, now)


def test_global_daily_limit(member, other_member, monkeypatch):
    monkeypatch.setattr(limits, "GLOBAL_DAILY_LIMIT", 3)
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    fill(member, 2, now)
    reserve(other_member, now)
    with pytest.raises(LimitReached) as refused:
        reserve(other_member, now)
    assert refused.value.message == "Generation temporarily unavailable, try again tomorrow"
    assert refused.value.status == 503
    assert GenerationJob.objects.count() == 3
    reserve(other_member, now + timedelta(days=1))


def test_warning_appears_at_three_left_with_zone(member):
    winter = datetime(2026, 1, 15, 12, tzinfo=UTC)
    summer = datetime(2026, 7, 15, 12, tzinfo=UTC)
    for _ in range(6):
        _, usage = reserve(member, winter)
    assert usage.warning == ""
    _, usage = reserve(member, winter)
    assert usage.warning == "3 kick generations left until 12:00 AM EST"
    fill(member, 2, summer)
    _, usage = reserve(member, summer)
    assert (usage.today, usage.warning) == (3, "")
    fill(member, 5, summer)
    assert usage_for(member, summer).warning == "2 kick generations left until 12:00 AM EDT"
    fill(member, 1, summer)
    assert usage_for(member, summer).warning == "1 kick generation left until 12:00 AM EDT"
    fill(member, 1, summer)
    assert usage_for(member, summer).warning == (
        "Daily generation limit reached — more at 12:00 AM EDT"
    )


def test_refusal_creates_no_job(member):
    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    fill(member, 10, now)
    with pytest.raises(LimitReached):
        reserve(member, now)
    assert GenerationJob.objects.filter(user=member).count() == 10
