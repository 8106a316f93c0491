"""The Redis cache through an outage, against a real redis-server stopped and restarted: calls
fall back to a per-process cache (rate limits keep counting), one warning, Redis again after."""

import logging

import pytest
import redis
from django.core.cache import caches
from django.urls import reverse
from kickwithreverb import cache as fallback_cache
from kickwithreverb.cache import FallbackRedisCache

from testsupport.redis_server import REDIS_SERVER

pytestmark = pytest.mark.skipif(REDIS_SERVER is None, reason="needs Debian's redis-server binary")


@pytest.fixture
def redis_cache(settings, redis_server, monkeypatch):
    """The project's Redis cache settings pointed at the private server."""
    monkeypatch.setattr(fallback_cache, "RETRY_AFTER_S", 0.3)
    settings.CACHES = {
        "default": {
            "BACKEND": "kickwithreverb.cache.FallbackRedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    cache = caches["default"]
    assert isinstance(cache, FallbackRedisCache)
    return cache


def test_calls_fall_back_during_an_outage_and_return_to_redis(
    redis_cache, redis_server, caplog, monkeypatch
):
    raw = redis.Redis.from_url(redis_server.url)
    redis_cache.set("beat", 1)
    assert redis_cache.get("beat") == 1
    assert len(raw.keys("*beat*")) == 1  # really in Redis

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="kickwithreverb.cache"):
        assert redis_cache.add("lock", True, 10) is True  # allauth's cache lock
        assert redis_cache.add("lock", True, 10) is False
        redis_cache.set("count", 1)
        assert redis_cache.incr("count") == 2  # django-ratelimit's counter
        assert redis_cache.get("beat") is None  # the fallback never held it
        redis_cache.delete("lock")
    warnings = [r for r in caplog.records if "Redis cache unreachable" in r.getMessage()]
    assert len(warnings) == 1
    assert redis_cache.redis_down
    with pytest.raises(redis.ConnectionError):
        redis_cache.ping()  # what /health asks

    redis_server.start()  # empty again
    monkeypatch.setattr(fallback_cache.time, "monotonic", lambda: float("inf"))
    assert not redis_cache.redis_down
    redis_cache.set("after", 3)
    assert redis_cache.get("after") == 3
    assert len(raw.keys("*after*")) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_login_and_its_limit_keep_working_without_redis(
    client, member, redis_cache, redis_server, settings, debug
):
    settings.DEBUG = debug
    settings.ACCOUNT_RATE_LIMITS = {"login": "10/m/ip"}
    redis_server.stop()
    login = reverse("account_login")
    for attempt in range(10):
        answer = client.post(login, {"login": f"nobody{attempt}", "password": "x" * 9})
        assert answer.status_code == 200, attempt
    assert client.post(login, {"login": "mira", "password": "kick-drum-42"}).status_code == 429
    other = client.post(
        login, {"login": "mira", "password": "kick-drum-42"}, REMOTE_ADDR="10.1.2.3"
    )
    assert other.status_code == 302
