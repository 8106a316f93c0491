import pytest


@pytest.fixture(autouse=True)
def _fresh_rate_limits(fresh_cache):
    """Login and sign-up limits live in the cache: every test starts with a fresh budget."""
