"""Generation quotas: 30 kicks per member, 10 a day per member, 1,000 a day across all members.

A "day" is a calendar day in America/New_York (DST-aware). The job row is the reservation:
active and finished jobs count, failed jobs do not. `reserve_generation` checks and creates the
job inside one transaction that holds a lock on that day's `GenerationDay` row, so concurrent
requests (two tabs, twenty threads, several processes) are serialised and can never exceed a
limit.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from kickgen.models import GeneratedKick, GenerationDay, GenerationJob

NEW_YORK = ZoneInfo("America/New_York")
TOTAL_CAP = 30
DAILY_LIMIT = 10
GLOBAL_DAILY_LIMIT = 1000
WARN_WHEN_REMAINING = 3

ACTIVE = (GenerationJob.Status.PENDING, GenerationJob.Status.RUNNING)
COUNTED = (*ACTIVE, GenerationJob.Status.DONE)


class LimitReached(Exception):
    """A quota says no; `message` is what the member reads, `status` the HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def new_york_day(now: datetime) -> date:
    return now.astimezone(NEW_YORK).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants (in UTC) a New York day starts and ends: 23 or 25 hours apart on DST days.

    UTC because Python subtracts datetimes sharing one tzinfo by wall clock.
    """
    return _midnight(day).astimezone(UTC), _midnight(day + timedelta(days=1)).astimezone(UTC)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=NEW_YORK)


def reset_label(now: datetime) -> str:
    """When the daily quota resets, e.g. "12:00 AM EST" (EDT in summer)."""
    next_midnight = _midnight(new_york_day(now) + timedelta(days=1))
    return f"12:00 AM {next_midnight.tzname()}"


@dataclass(frozen=True)
class Usage:
    """What a member has used: kicks held plus generations under way, and today's count."""

    total: int
    today: int
    global_today: int
    now: datetime

    @property
    def remaining_today(self) -> int:
        return max(0, DAILY_LIMIT - self.today)

    @property
    def warning(self) -> str:
        """The "N kick generations left" line, shown once 3 or fewer remain."""
        left = self.remaining_today
        if left > WARN_WHEN_REMAINING:
            return ""
        if left == 0:
            return daily_limit_message(self.now)
        return f"{left} kick generation{'s' if left > 1 else ''} left until {reset_label(self.now)}"


def daily_limit_message(now: datetime) -> str:
    return f"Daily generation limit reached — more at {reset_label(now)}"


def _usage(user_id: int, now: datetime) -> Usage:
    start, end = day_bounds(new_york_day(now))
    counted_today = GenerationJob.objects.filter(
        status__in=COUNTED, created_at__gte=start, created_at__lt=end
    )
    total = (
        GeneratedKick.objects.filter(user_id=user_id).count()
        + GenerationJob.objects.filter(user_id=user_id, status__in=ACTIVE).count()
    )
    return Usage(
        total=total,
        today=counted_today.filter(user_id=user_id).count(),
        global_today=counted_today.count(),
        now=now,
    )


def usage_for(user: AbstractBaseUser, now: datetime | None = None) -> Usage:
    return _usage(user.pk, now or timezone.now())


def check_limits(usage: Usage) -> None:
    """Raise LimitReached with the member-facing message when one more generation is refused."""
    if usage.total >= TOTAL_CAP:
        raise LimitReached(f"Delete kicks to generate more ({TOTAL_CAP}/{TOTAL_CAP})", 409)
    if usage.today >= DAILY_LIMIT:
        raise LimitReached(daily_limit_message(usage.now), 429)
    if usage.global_today >= GLOBAL_DAILY_LIMIT:
        raise LimitReached("Generation temporarily unavailable, try again tomorrow", 503)


def reserve_generation(
    user: AbstractBaseUser, now: datetime | None = None, **job_fields: object
) -> tuple[GenerationJob, Usage]:
    """Check every limit and create the pending job in one serialised transaction.

    Returns the job and the usage after the reservation (for the "N left" warning).
    """
    now = now or timezone.now()
    day = new_york_day(now)
    with transaction.atomic():
        # The insert also takes SQLite's write lock first, so SQLite serialises here as well.
        GenerationDay.objects.bulk_create([GenerationDay(day=day)], ignore_conflicts=True)
        GenerationDay.objects.select_for_update().get(day=day)
        # The member's own row too: two tabs either side of midnight lock different day rows,
        # and the total cap is not a per-day limit.
        get_user_model().objects.select_for_update().get(pk=user.pk)
        usage = _usage(user.pk, now)
        check_limits(usage)
        job = GenerationJob.objects.create(user_id=user.pk, created_at=now, **job_fields)
    return job, Usage(usage.total + 1, usage.today + 1, usage.global_today + 1, now)
