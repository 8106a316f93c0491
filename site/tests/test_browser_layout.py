"""The page's layout in Chromium, from 360 px phones to wide screens, in the DAW and in AI Kick Gen
mode: nothing wider than the viewport (long preset and kick names included), cards that fit their
content, a prominent Generate, every control named, no emoji for a missing font to turn into
boxes. Screenshots of both modes at 1440 and 390 px go to test-artifacts/."""

import re

import pytest

pytestmark = pytest.mark.browser

PHONE_WIDTHS = [360, 390]
LONG_PRESET = "Warehouse Rumble Wide Mode 2026x"
LONG_KICK = "AI: Friedrich-Wilhelm-Maximilian"
assert len(LONG_PRESET) == 32  # the longest name a preset may have

# Every element that is drawn lies inside the viewport (what a scrolling or clipping box hides
# does not count: that box is measured itself).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const outside = [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].map((name) => "." + name).join("");
  for (const el of document.querySelectorAll("body *")) {
    if (!el.checkVisibility({ visibilityProperty: true })) continue;
    const box = el.getBoundingClientRect();
    let left = box.left, right = box.right;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") {
        const clip = up.getBoundingClientRect();
        left = Math.max(left, clip.left);
        right = Math.min(right, clip.right);
      }
    }
    if (box.height === 0 || right <= left) continue;
    if (left < -0.5 || right > width + 0.5) {
      const text = el.textContent.trim().slice(0, 24);
      outside.push(`${describe(el.parentElement)} > ${describe(el)} "${text}" spans `
        + `${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  const { scrollWidth } = document.documentElement;
  return { scrollWidth, innerWidth: window.innerWidth, outside };
}"""

# Emoji (Extended_Pictographic) in any text node or text attribute outside scripts.
EMOJI = r"""() => {
  const emoji = /\p{Extended_Pictographic}/u;
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest("script")) continue;
    if (emoji.test(node.data)) found.push(node.data.trim());
  }
  for (const el of document.querySelectorAll("[title], [aria-label], [placeholder]")) {
    for (const name of ["title", "aria-label", "placeholder"]) {
      const value = el.getAttribute(name);
      if (value && emoji.test(value)) found.push(`${name}="${value}"`);
    }
  }
  return found;
}"""

# How much of a card stands empty below its content (px).
EMPTY_BELOW = """(selector) => {
  const card = document.querySelector(selector);
  const box = card.getBoundingClientRect();
  const padding = parseFloat(getComputedStyle(card).paddingBottom);
  const bottom = Math.max(...[...card.children]
    .filter((child) => child.checkVisibility())
    .map((child) => child.getBoundingClientRect().bottom));
  return box.bottom - padding - bottom;
}"""

# The widest horizontal gap between neighbouring controls in a strip (px).
WIDEST_GAP = """(selector) => {
  const boxes = [...document.querySelectorAll(selector)]
    .map((el) => el.getBoundingClientRect())
    .sort((a, b) => a.left - b.left);
  let widest = 0;
  for (let i = 1; i < boxes.length; i++) {
    if (Math.abs(boxes[i].top - boxes[i - 1].top) < 4) {
      widest = Math.max(widest, boxes[i].left - boxes[i - 1].right);
    }
  }
  return widest;
}"""

NAMED_ROLES = ("button", "link", "combobox", "slider", "checkbox", "spinbutton", "textbox")


def assert_fits(page, where: str) -> None:
    result = page.evaluate(OVERFLOW)
    assert result["scrollWidth"] <= result["innerWidth"], f"{where}: {result}"
    assert result["outside"] == [], f"{where}: {result}"


def unnamed_controls(page) -> list[str]:
    """Controls whose accessible name is empty, from Playwright's ARIA snapshot of the page."""
    snapshot = page.locator("body").aria_snapshot()
    pattern = re.compile(rf"^\s*- ({'|'.join(NAMED_ROLES)})\b(?!\s+\")(.*)$", re.M)
    return [match.group(0).strip() for match in pattern.finditer(snapshot)]


def write_wav(path_expression: str) -> str:
    """Shell code writing a short decaying 55 Hz sine as a 16-bit WAV to `path_expression`."""
    return (
        "import math, struct, wave\n"
        f"path = {path_expression}\n"
        "path.parent.mkdir(parents=True, exist_ok=True)\n"
        "with wave.open(str(path), 'wb') as out:\n"
        "    out.setnchannels(1); out.setsampwidth(2); out.setframerate(44100)\n"
        "    out.writeframes(b''.join(struct.pack('<h', int(20000 * math.exp(-i / 6000)"
        " * math.sin(2 * math.pi * 55 * i / 44100))) for i in range(13230)))\n"
    )


@pytest.fixture
def stocked_member(member_page, daphne_server, browser_helpers):
    """A member with a 32-character preset (loaded) and an AI kick with a long name."""
    page = member_page
    daphne_server.shell(
        "from pathlib import Path\n"
        "from django.conf import settings\n"
        "from django.contrib.auth import get_user_model\n"
        "from kickgen.models import GeneratedKick\n"
        "from presets.models import Preset, init_preset_defaults\n"
        f"user = get_user_model().objects.get(username={page.username!r})\n"
        f"Preset.objects.create(user=user, preset_name={LONG_PRESET!r}, **init_preset_defaults())\n"
        + write_wav("Path(settings.MEDIA_ROOT) / 'generated-kicks' / str(user.pk) / 'long.wav'")
        + f"GeneratedKick.objects.create(user=user, name={LONG_KICK!r}, seed=7, keywords='hard',"
        " audio_url=f'/media/generated-kicks/{user.pk}/long.wav',"
        " storage_path=f'{user.pk}/long.wav')\n"
    )
    page.reload()
    browser_helpers.wait_engine_ready(page)
    wait_overlay_gone(page)
    browser_helpers.load_preset(page, LONG_PRESET)
    return page


def wait_overlay_gone(page) -> None:
    page.wait_for_selector("#loading-overlay", state="hidden")


def enter_kickgen_mode(page) -> None:
    page.click("[data-kickgen-enter]")
    page.wait_for_function("document.body.dataset.mode === 'kickgen'")


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_guest_daw_fits_a_phone(page, browser_helpers, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    browser_helpers.wait_engine_ready(page)
    wait_overlay_gone(page)
    assert_fits(page, f"guest DAW at {width} px")
    page.keyboard.press("?")
    assert page.is_visible("#hotkeys-overlay")
    assert_fits(page, f"hotkeys overlay at {width} px")


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_member_both_modes_fit_a_phone_with_long_names(stocked_member, width):
    page = stocked_member
    page.set_viewport_size({"width": width, "height": 800})
    assert_fits(page, f"member DAW with a 32-character preset at {width} px")
    # The preset steppers stay on screen beside the long name.
    steps = page.locator("#presets-bar .presets-bar__step")
    assert steps.count() >= 1
    for step in steps.all():
        step.wait_for(state="visible")
        box = step.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width

    enter_kickgen_mode(page)
    page.wait_for_function("(name) => window.kwr.sound.get('kick_sample') === name", arg=LONG_KICK)
    assert_fits(page, f"AI Kick Gen mode at {width} px")
    page.click(".kickgen-bar__options summary")
    assert page.is_visible("input[name=seed]")
    assert_fits(page, f"AI Kick Gen mode, Ask for open, at {width} px")
    assert page.locator("[data-kickgen-generate]").bounding_box()["width"] >= width / 3


def test_every_control_is_named_and_no_text_needs_an_emoji_font(stocked_member):
    page = stocked_member
    assert unnamed_controls(page) == []
    assert page.evaluate(EMOJI) == []
    enter_kickgen_mode(page)
    page.click(".kickgen-bar__options summary")
    assert unnamed_controls(page) == []
    assert page.evaluate(EMOJI) == []
    generate = page.get_by_role("button", name="Generate", exact=True)
    assert generate.get_attribute("data-kickgen-generate") is not None
    assert page.get_by_role("button", name="Delete this kick").count() == 1
    assert page.get_by_role("button", name="Previous AI kick").count() == 1
    page.keyboard.press("?")
    assert unnamed_controls(page) == []
    assert page.get_by_role("button", name="Close").is_visible()


def test_member_with_no_kicks_is_told_to_press_generate(member_page):
    page = member_page
    enter_kickgen_mode(page)
    assert page.text_content("#kickgen-select").strip() == "Click Generate to make a new kick"
    assert page.evaluate(EMOJI) == []


def test_wide_cards_fit_their_content_and_generate_leads_ai_mode(stocked_member):
    page = stocked_member
    page.set_viewport_size({"width": 1440, "height": 900})
    for card in ("#layer-kick", "#layer-noise", "#layer-reverb", "#master-strip"):
        assert page.evaluate(EMPTY_BELOW, card) <= 24, f"{card} stands empty below its content"
    assert page.evaluate(WIDEST_GAP, "#master-strip .knob-control, #master-strip .meter-box") <= 48
    # The preset-name box is styled like the other fields, not the browser's bare input.
    name_box, select = (
        page.eval_on_selector(
            selector,
            "el => { const s = getComputedStyle(el);"
            " return [s.backgroundColor, s.borderTopColor, s.borderRadius, s.fontSize]; }",
        )
        for selector in ("#preset-name", "#preset-select")
    )
    assert name_box == select

    enter_kickgen_mode(page)
    generate = page.locator("[data-kickgen-generate]").bounding_box()
    back = page.locator("#kickgen-back").bounding_box()
    assert generate["width"] * generate["height"] > back["width"] * back["height"]
    assert generate["y"] < back["y"], "Generate comes before Back To DAW"


@pytest.mark.parametrize("width", [1440, 390])
def test_screenshots_of_both_modes(stocked_member, browser_helpers, width):
    page = stocked_member
    page.set_viewport_size({"width": width, "height": 900})
    browser_helpers.artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(browser_helpers.artifacts / f"layout-daw-{width}.png"), full_page=True)
    enter_kickgen_mode(page)
    page.click(".kickgen-bar__options summary")
    page.screenshot(
        path=str(browser_helpers.artifacts / f"layout-kickgen-{width}.png"), full_page=True
    )
    assert_fits(page, f"AI Kick Gen mode at {width} px")
    assert page.console_errors == []
