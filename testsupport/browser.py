"""Debian's Chromium under Playwright, and the page steps every browser test and benchmark shares.

The steps take a Playwright page whose base URL is a running server (testsupport.live_server):
sign up or log in through allauth's forms, then wait for the DAW's audio engine.
"""

import uuid
from urllib.parse import urlsplit

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


def _at_the_daw(url: str) -> bool:
    # "**/" would also match the form's own /accounts/…/ address.
    return urlsplit(url).path == "/"


def wait_engine_ready(page, timeout_ms: int = 15_000) -> None:
    """Waits for `<body data-engine="ready">`; fails with the page's errors if it says "error"."""
    page.wait_for_function("document.body.dataset.engine !== 'loading'", timeout=timeout_ms)
    state = page.evaluate("document.body.dataset.engine")
    if state != "ready":
        message = page.text_content("#loading-message")
        raise AssertionError(
            f"engine state {state!r}: {message}; console: {getattr(page, 'console_errors', [])}"
        )


# htmx swaps new content in at once but wires its hx-* listeners only when it settles (20 ms
# later): a pick or a click before that is lost or submits without htmx.
SETTLED = "!el.classList.contains('htmx-added') && !el.classList.contains('htmx-settling')"

# True once htmx has swapped in a presets bar other than `old` and settled it, with `label` as
# the chosen preset. (The <select> shows a new choice at once, before any request.)
BAR_LOADED = f"""([old, label]) => {{
  const el = document.querySelector('#presets-bar');
  return el !== old && {SETTLED}
    && el.querySelector('#preset-select option:checked')?.textContent === label;
}}"""


def wait_settled(page, selector: str) -> None:
    """Waits until the element `selector` is shown and htmx has settled it."""
    page.wait_for_function(
        f"(selector) => {{ const el = document.querySelector(selector);"
        f" return !!el && el.checkVisibility() && {SETTLED}; }}",
        arg=selector,
    )


def presets_bar(page):
    """The presets bar now, once settled: pass it to `wait_bar_loaded` after an action."""
    wait_settled(page, "#presets-bar")
    return page.query_selector("#presets-bar")


def wait_bar_loaded(page, old, label: str) -> None:
    """Waits for htmx to replace the bar `old` with a settled one that has `label` chosen."""
    page.wait_for_function(BAR_LOADED, arg=[old, label])


def load_preset(page, label: str) -> None:
    """Picks `label` in the presets bar and waits until htmx has swapped in the loaded bar."""
    old = presets_bar(page)
    page.select_option("#preset-select", label=label)
    wait_bar_loaded(page, old, label)


def save_preset(page, name: str) -> None:
    """Saves the current sound as `name` and waits until the saved bar has settled."""
    old = presets_bar(page)
    page.fill("#preset-name", name)
    page.click("form[data-preset-values] button[type=submit]")
    wait_bar_loaded(page, old, name)


def signup(page, username: str, password: str = MEMBER_PASSWORD, email: str | None = None) -> None:
    """Signs up through allauth's form and lands on the DAW page as that member."""
    page.goto("/accounts/signup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=email]", email or f"{username}@example.org")
    page.fill("input[name=password1]", password)
    page.fill("input[name=password2]", password)
    page.click("form.auth-form button[type=submit]")
    page.wait_for_url(_at_the_daw)


def login(page, username: str, password: str = MEMBER_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("form.auth-form button[type=submit]")
    page.wait_for_url(_at_the_daw)
