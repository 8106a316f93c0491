import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    """Login and sign-up limits live in the cache: every test starts with a fresh budget."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user("mira", "mira@example.org", "kick-drum-42")
