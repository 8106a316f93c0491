"""AI Kick Gen mode in Chromium against daphne running the real local pipeline (tiny weights).

sign up → enter the mode → Generate → "Generating kick..." seen → the new kick is selected, loaded
and playing (non-silent) with every knob untouched → Back To DAW keeps it → deleting it while a
preset uses it asks first, naming the preset.
"""

import pytest

from testsupport.browser import signup, unique_username, wait_engine_ready, wait_settled

pytestmark = pytest.mark.browser

SEEN_TEXTS = """() => {
  window.__kickgenSeen = [];
  new MutationObserver(() => {
    const status = document.getElementById("kickgen-status");
    if (status) window.__kickgenSeen.push(status.textContent.trim());
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""

PEAK_OF_HIT = """async () => {
  const { channels } = await window.kwr.engine.renderOffline({ mode: "hit" });
  return Math.max(...channels.map((c) => c.reduce((m, v) => Math.max(m, Math.abs(v)), 0)));
}"""


@pytest.fixture
def member_page(browser, tiny_model_server):
    # wait_for_function evaluates strings, which the CSP forbids (test_browser_csp.py has it on).
    context = browser.new_context(base_url=tiny_model_server.urls[0], bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    username = unique_username("k")
    signup(page, username)
    wait_engine_ready(page, timeout_ms=20_000)
    page.username = username
    yield page
    context.close()


def sound(page) -> dict:
    return page.evaluate("window.kwr.sound.snapshot()")


def test_generate_play_keep_and_delete(member_page, tiny_model_server):
    page = member_page
    page.evaluate("window.kwr.sound.set('kick_dist_amt', 0.2); window.kwr.sound.set('bpm', 133)")
    before = sound(page)

    page.click("[data-kickgen-enter]")
    assert page.text_content("#page-title") == "AI KICK GEN MODE"
    assert page.is_visible("#kickgen-bar") and page.is_visible("#kickgen-back")
    assert page.is_hidden("#presets-bar") and page.is_hidden("#kick-select")
    assert page.text_content("#kickgen-select").strip() == "Click Generate to make a new kick"

    page.evaluate(SEEN_TEXTS)
    page.click("[data-kickgen-generate]")
    page.wait_for_function(
        "window.kwr.sound.get('kick_sample').startsWith('AI: ') && window.kwr.playing",
        timeout=30_000,
    )
    assert any("Generating kick..." in text for text in page.evaluate("window.__kickgenSeen"))
    name = page.evaluate("window.kwr.sound.get('kick_sample')")
    selected = page.eval_on_selector("#kickgen-select", "s => s.selectedOptions[0].dataset.name")
    assert selected == name
    assert page.evaluate(PEAK_OF_HIT) > 0.05
    after = sound(page)
    assert {k: v for k, v in after.items() if k != "kick_sample"} == {
        k: v for k, v in before.items() if k != "kick_sample"
    }
    assert "Seed" in page.text_content("#kickgen-info")

    page.click("#kickgen-back")
    assert page.text_content("#page-title") == "KICK WITH REVERB"
    assert page.is_visible("#kick-select") and page.is_hidden("#kickgen-bar")
    assert page.input_value("#kick-sample") == name
    assert page.evaluate("window.kwr.sound.get('kick_sample')") == name

    tiny_model_server.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from presets.models import Preset, init_preset_defaults\n"
        f"user = get_user_model().objects.get(username={page.username!r})\n"
        "Preset.objects.create(user=user, preset_name='Peak Time', "
        f"**{{**init_preset_defaults(), 'kick_sample': {name!r}}})\n",
    )
    page.click("[data-kickgen-enter]")
    page.click(".kickgen-bar__delete")
    wait_settled(page, "#kickgen-dialog")
    dialog = page.text_content("#kickgen-dialog")
    assert "Deleting this kick will also delete these presets:" in dialog
    assert "Peak Time" in dialog
    page.click("[data-kickgen-confirm-delete]")
    # The last kick is gone: the bar shows the placeholder and the sampler falls back to the
    # first stock kick.
    page.wait_for_function(
        "!document.querySelector('#kickgen-select option[data-name]')"
        " && window.kwr.sound.get('kick_sample') === window.kwr.contract.init.kick_sample",
        timeout=10_000,
    )
    assert page.errors == []


def test_punch_at_the_top_of_its_control_makes_a_kick(member_page):
    """The slider ends where the model's punch range does (tiny weights: 0.5), so its maximum
    is a kick, not a refusal."""
    page = member_page
    page.click("[data-kickgen-enter]")
    page.click(".kickgen-bar__options summary")
    page.check("[data-kickgen-enable=punch]")
    slider = page.locator("[name=punch]")
    assert slider.get_attribute("max") == "0.5"
    slider.focus()
    page.keyboard.press("End")
    assert page.input_value("[name=punch]") == "0.5"
    page.click("[data-kickgen-generate]")
    page.wait_for_function(
        "window.kwr.sound.get('kick_sample').startsWith('AI: ')"
        " || document.querySelector('#kickgen-status').dataset.state === 'refused'",
        timeout=30_000,
    )
    assert page.evaluate("window.kwr.sound.get('kick_sample')").startswith("AI: "), (
        page.text_content("#kickgen-status")
    )
    assert "punch 0.50" in page.text_content("#kickgen-info")
