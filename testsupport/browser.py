"""Debian's Chromium under Playwright, and the page steps every browser test and benchmark shares.

The steps take a Playwright page whose base URL is a running server (testsupport.live_server):
sign up or log in through allauth's forms, then wait for the DAW's audio engine.
"""

import uuid

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    # The DAW plays without a click under test; real visitors start audio with a gesture.
    "--autoplay-policy=no-user-gesture-required",
]
MEMBER_PASSWORD = "kick-with-reverb-42"


def unique_username(prefix: str = "member") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def wait_engine_ready(page, timeout_ms: int = 15_000) -> None:
    """Waits for `<body data-engine="ready">`; fails with the page's errors if it says "error"."""
    page.wait_for_function("document.body.dataset.engine !== 'loading'", timeout=timeout_ms)
    state = page.evaluate("document.body.dataset.engine")
    if state != "ready":
        message = page.text_content("#loading-message")
        raise AssertionError(
            f"engine state {state!r}: {message}; console: {getattr(page, 'console_errors', [])}"
        )


def signup(page, username: str, password: str = MEMBER_PASSWORD, email: str | None = None) -> None:
    """Signs up through allauth's form and lands on the DAW page as that member."""
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", email or f"{username}@example.org")
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.click("form.auth-form button[type=submit]")
    page.wait_for_url("**/")


def login(page, username: str, password: str = MEMBER_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("form.auth-form button[type=submit]")
    page.wait_for_url("**/")
