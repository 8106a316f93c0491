"""Fixtures shared by every app: members in the test database, and for browser tests the app
served by daphne in a subprocess, driven by Debian's Chromium.

Members: `member` (mira) and `other_member` (otto), `member_client` (the test client logged in
as `member`), and `fresh_cache` for tests whose rate limits live in the cache.

Browser tests: pytest-django's `live_server` is WSGI (no WebSockets), so browser tests get a real
daphne process instead (testsupport.live_server), one per test session, on a free port, over a
file-based SQLite database that is migrated first, with static files collected the way
production serves them. Chromium comes from Debian (/usr/bin/chromium) via pytest-playwright.

Use it from any app's browser test:

    @pytest.mark.browser
    def test_something(daw_page, daphne_server):
        ...                                  # daw_page: a guest on "/", engine ready
    def test_member(member_page):            # a freshly signed-up member on "/"
    def test_custom(page, browser_helpers):  # page's base_url is the server
        browser_helpers.signup(page, browser_helpers.unique_username())

Override `daphne_settings_lines` (extra settings) or `daphne_env` (extra environment, e.g.
REDIS_URL for the channels-redis layer) in your own conftest to change the server.
"""

import os
from collections.abc import Iterator
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from testsupport.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MEMBER_PASSWORD,
    load_preset,
    login,
    save_preset,
    signup,
    unique_username,
    wait_engine_ready,
)
from testsupport.live_server import REPO_ROOT, DaphneServer, serve
from testsupport.redis_server import RedisServer

# ------------------------------------------------------------------ members


@pytest.fixture
def member(django_user_model):
    return django_user_model.objects.create_user("mira", "mira@example.org", "kick-drum-42")


@pytest.fixture
def other_member(django_user_model):
    return django_user_model.objects.create_user("otto", "otto@example.org", "kick-drum-42")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    """Rate limits (allauth's login and sign-up, kickgen's bursts) live in the cache: a test that
    uses this starts, and leaves, with a fresh budget."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def redis_server(tmp_path):
    """A private redis-server the test may stop and restart (testsupport.redis_server)."""
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


# ------------------------------------------------------------------ daphne


@pytest.fixture(scope="session")
def daphne_settings_lines() -> list[str]:
    """Settings appended after kickwithreverb.settings_test for the server process."""
    return [
        # Login/sign-up limits are tested in accounts/tests; browser tests sign up many
        # members from one IP address.
        "ACCOUNT_RATE_LIMITS = False",
    ]


@pytest.fixture(scope="session")
def daphne_env() -> dict[str, str]:
    """Extra environment for the server process (and its manage.py calls)."""
    return {}


@pytest.fixture(scope="session")
def daphne_server(
    tmp_path_factory: pytest.TempPathFactory,
    daphne_settings_lines: list[str],
    daphne_env: dict[str, str],
) -> Iterator[DaphneServer]:
    """One daphne process for the whole session (see testsupport.live_server)."""
    with serve(tmp_path_factory.mktemp("daphne"), daphne_settings_lines, daphne_env) as server:
        # Tests that touch the ORM from Playwright's (event-loop) thread need this.
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield server


# ------------------------------------------------------------------ Playwright (pytest-playwright)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, daphne_server: DaphneServer) -> dict:
    return {
        **browser_context_args,
        "base_url": daphne_server.url,
        "accept_downloads": True,
        "viewport": {"width": 1280, "height": 900},
        # Playwright's wait_for_function evaluates its predicate as a string, which the site's
        # CSP forbids; kickgen/tests/test_browser_csp.py walks the pages with the CSP enforced.
        "bypass_csp": True,
    }


@pytest.fixture
def page(page):
    """pytest-playwright's page, with the browser's console errors attached to failures."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.console_errors = errors
    return page


# ------------------------------------------------------------------ helpers


@pytest.fixture
def browser_helpers():
    """testsupport.browser's page steps, and where tests leave screenshots and downloads."""
    return SimpleNamespace(
        signup=signup,
        login=login,
        wait_engine_ready=wait_engine_ready,
        load_preset=load_preset,
        save_preset=save_preset,
        unique_username=unique_username,
        password=MEMBER_PASSWORD,
        artifacts=REPO_ROOT / "test-artifacts",
    )


@pytest.fixture
def daw_page(page):
    """A guest on the DAW page with the engine ready."""
    page.goto("/")
    wait_engine_ready(page)
    return page


@pytest.fixture
def member_page(page):
    """A freshly signed-up member on the DAW page with the engine ready (`page.username`)."""
    username = unique_username()
    signup(page, username)
    wait_engine_ready(page)
    page.username = username
    return page
