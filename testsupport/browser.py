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


# True once htmx has swapped in a presets bar other than `old` and finished settling it, with
# `label` as the chosen preset. The <select> shows the new choice at once, before the request.
_BAR_LOADED = """([old, label]) => {
  const bar = document.querySelector('#presets-bar');
  return bar !== old && !bar.classList.contains('htmx-added')
    && !bar.classList.contains('htmx-settling')
    && bar.querySelector('#preset-select option:checked')?.textContent === label;
}"""


def load_preset(page, label: str) -> None:
    """Picks `label` in the presets bar and waits until htmx has swapped in the loaded bar."""
    old = page.query_selector("#presets-bar")
    page.select_option("#preset-select", label=label)
    page.wait_for_function(_BAR_LOADED, arg=[old, label])


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
