"""A Redis outage as a member meets it, in Chromium against daphne on a real redis-server: the
socket closes, a kick generated meanwhile still reaches the page (kickgen.js follows the job over
HTTP), and once Redis is back the page reconnects by itself and gets its kicks over the socket."""

import pytest

from kickgen.tests.live import kickgen_cluster
from testsupport.browser import signup, unique_username, wait_engine_ready
from testsupport.redis_server import REDIS_SERVER
from testsupport.tiny_weights import write_tiny_weights

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs Debian's redis-server binary"),
]

RECORD_SOCKET = """() => {
  window.__socket = [];
  document.body.addEventListener("htmx:wsOpen", () => window.__socket.push("open"));
  document.body.addEventListener("htmx:wsClose", (e) => {
    window.__socket.push(`close ${e.detail.event.code}`);
  });
  document.body.addEventListener("htmx:wsBeforeMessage", () => window.__socket.push("message"));
}"""
NEW_KICK_PLAYING = """(before) => {
  const name = window.kwr.sound.get("kick_sample");
  return name !== before && name.startsWith("AI: ") && window.kwr.playing;
}"""


@pytest.fixture
def server(tmp_path, redis_server):
    weights = write_tiny_weights(tmp_path / "weights")
    cluster = kickgen_cluster(
        tmp_path,
        "local",
        redis_server.url,
        settings_lines=[f"KICKGEN_MODEL_PATH = {str(weights)!r}"],
    )
    cluster.start(1)
    yield cluster
    cluster.stop()


def test_a_kick_generated_during_an_outage_reaches_the_page(browser, server, redis_server):
    context = browser.new_context(base_url=server.urls[0], bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    signup(page, unique_username("o"))
    wait_engine_ready(page, timeout_ms=20_000)
    page.evaluate(RECORD_SOCKET)
    page.click("[data-kickgen-enter]")

    redis_server.stop()
    page.wait_for_function("window.__socket.includes('close 4503')", timeout=15_000)
    before = page.evaluate("window.kwr.sound.get('kick_sample')")
    page.click("[data-kickgen-generate]")
    page.wait_for_function(NEW_KICK_PLAYING, arg=before, timeout=30_000)
    during_outage = page.evaluate("window.kwr.sound.get('kick_sample')")

    # What the socket does from here on (the page may reconnect as soon as Redis answers).
    mark = page.evaluate("window.__socket.length")
    redis_server.start()
    # Reconnects back off (random, below 1, 2, 4 … s while Redis was away): within a minute.
    page.wait_for_function(
        "(mark) => window.__socket.slice(mark).includes('message')", arg=mark, timeout=70_000
    )
    page.click("[data-kickgen-generate]")
    page.wait_for_function(NEW_KICK_PLAYING, arg=during_outage, timeout=30_000)
    assert (
        page.evaluate(
            "(mark) => window.__socket.slice(mark).filter((e) => e === 'message').length", mark
        )
        > 3
    )
    assert errors == []
    context.close()
