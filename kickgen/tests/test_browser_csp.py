"""The whole DAW + AI Kick Gen journey in Chromium with the site's own Content-Security-Policy
enforced (the other browser tests bypass it for Playwright's string predicates): any
`securitypolicyviolation` event or CSP console message fails it.

guest: DAW, engine, play, hotkeys, export → sign up → save and load a preset → AI Kick Gen
mode: generate (progress over the socket), More like this, delete → Back To DAW → log out.
Waiting is done from Python (page.evaluate runs over the DevTools protocol, outside the CSP).
"""

import time
from collections.abc import Callable

import pytest

from testsupport.browser import BAR_LOADED, signup, unique_username

pytestmark = pytest.mark.browser

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def journey(browser, tiny_model_server):
    context = browser.new_context(base_url=tiny_model_server.urls[0], accept_downloads=True)
    violations: list[str] = []
    context.expose_function("reportCspViolation", lambda text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.violations, page.errors = violations, errors
    yield page
    context.close()


def wait_for(page, condition: str | Callable[[], object], timeout_s: float = 30.0) -> None:
    """Polls `condition`: a JavaScript expression, or a Python callable."""
    check = condition if callable(condition) else lambda: page.evaluate(condition)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not true within {timeout_s} s: {condition}; errors: {page.errors}")


def current_kick(page) -> str:
    return page.evaluate("window.kwr.sound.get('kick_sample')")


def test_every_step_runs_under_the_sites_csp(journey, tiny_model_server):
    page = journey
    response = page.goto("/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy
    assert "unsafe-inline" not in policy and "'unsafe-eval'" not in policy
    wait_for(page, "document.body.dataset.engine === 'ready'")
    page.click("#play")
    wait_for(page, "Number(document.querySelector('#output-meter').dataset.peak) > -60")
    page.keyboard.press("s")
    page.click("#play")
    with page.expect_download() as download:
        page.click("[data-export=hit]")
    assert download.value.suggested_filename.endswith(".wav")

    signup(page, unique_username("csp"))
    wait_for(page, "document.body.dataset.engine === 'ready'")
    page.keyboard.press("s")  # the saved sound differs from Init, so loading Init shows
    first_bar = page.query_selector("#presets-bar")
    page.fill("#preset-name", "Under Policy")
    page.click("form[data-preset-values] button[type=submit]")
    wait_for(page, lambda: page.evaluate(BAR_LOADED, [first_bar, "Under Policy"]))
    saved_bar = page.query_selector("#presets-bar")
    page.select_option("#preset-select", label="Init")
    wait_for(page, lambda: page.evaluate(BAR_LOADED, [saved_bar, "Init"]))
    assert page.evaluate("window.kwr.sound.get('kick_dist_amt')") == 0

    page.click("[data-kickgen-enter]")
    page.click("[data-kickgen-generate]")
    wait_for(page, "window.kwr.sound.get('kick_sample').startsWith('AI: ') && window.kwr.playing")
    first = current_kick(page)
    page.click(".kickgen-bar__vary")
    wait_for(page, f"window.kwr.sound.get('kick_sample') !== {first!r}")
    page.click(".kickgen-bar__delete")
    wait_for(page, "document.querySelectorAll('#kickgen-select option[data-name]').length === 1")
    page.click("#kickgen-back")
    assert page.text_content("#page-title") == "KICK WITH REVERB"

    with page.expect_navigation():
        page.click("form[action='/accounts/logout/'] button")
    wait_for(page, "document.body.dataset.engine === 'ready'")
    assert page.violations == []
    assert page.errors == []
