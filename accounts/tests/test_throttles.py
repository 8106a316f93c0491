"""The login and sign-up limits, against the configured cache (Redis when REDIS_URL is set)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
SIGNUP = reverse("account_signup")


def signup_body(index: int) -> dict[str, str]:
    return {
        "username": f"raver{index}",
        "email": f"raver{index}@example.org",
        "password1": "four-on-the-floor",
        "password2": "four-on-the-floor",
    }


def test_login_allows_ten_attempts_a_minute_per_ip_then_answers_429(client, member):
    for attempt in range(10):
        response = client.post(LOGIN, {"login": f"nobody{attempt}", "password": "x" * 9})
        assert response.status_code == 200, attempt
    refused = client.post(LOGIN, {"login": "mira", "password": "kick-drum-42"})
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 60
    html = refused.content.decode()
    assert "Too many log-in attempts" in html
    assert "Please wait <strong>" in html
    assert ("1 minute" in html) if retry_after == 60 else (f"{retry_after} second" in html)
    assert not client.get("/").context["user"].is_authenticated
    # Another address still gets in.
    other = client.post(
        LOGIN, {"login": "mira", "password": "kick-drum-42"}, REMOTE_ADDR="10.1.2.3"
    )
    assert other.status_code == 302


def test_login_limit_uses_the_shared_cache(client, member):
    for _ in range(10):
        client.post(LOGIN, {"login": "nobody", "password": "x" * 9})
    assert client.post(LOGIN, {"login": "nobody", "password": "x" * 9}).status_code == 429
    cache.clear()
    assert client.post(LOGIN, {"login": "mira", "password": "kick-drum-42"}).status_code == 302


def test_viewing_the_login_page_does_not_use_up_attempts(client):
    for _ in range(15):
        assert client.get(LOGIN).status_code == 200


def test_signup_allows_five_an_hour_per_ip_then_answers_429(client, django_user_model):
    for index in range(5):
        response = client.post(SIGNUP, signup_body(index))
        assert response.status_code == 302, index
        client.post(reverse("account_logout"))
    refused = client.post(SIGNUP, signup_body(99))
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    assert 3540 <= retry_after <= 3600
    assert "Too many sign-ups" in refused.content.decode()
    assert "60 minutes" in refused.content.decode()
    assert not django_user_model.objects.filter(username="raver99").exists()
