"""The DAW page in Debian's Chromium against daphne: engine start, sound, knobs, hotkeys,
presets round trip, WAV export. Fixtures and helpers live in the root conftest.py."""

import struct
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def engine_param(page, field: str) -> float:
    return page.evaluate("(field) => window.kwr.engine.getParam(field)", field)


def knob_value(page, field: str) -> float:
    return float(page.get_attribute(f"#knob-{field}", "aria-valuenow"))


def drag_vertically(page, selector: str, pixels: int) -> None:
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y - pixels, steps=8)
    page.mouse.up()


def wav_frames(path: Path) -> tuple[int, int, int]:
    """(frames, channels, sample rate) of a RIFF/WAVE file (PCM or IEEE float)."""
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE", "not a RIFF/WAVE file"
    offset, fmt, frames = 12, None, None
    while offset + 8 <= len(data):
        chunk, size = (
            data[offset : offset + 4],
            struct.unpack("<I", data[offset + 4 : offset + 8])[0],
        )
        body = data[offset + 8 : offset + 8 + size]
        if chunk == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif chunk == b"data":
            assert fmt is not None, "data chunk before fmt chunk"
            assert len(body) == size, "data chunk is truncated"
            frames = size // fmt[4]
        offset += 8 + size + (size & 1)
    assert fmt is not None and frames is not None, "missing fmt or data chunk"
    audio_format, channels, sample_rate, _, _, bits = fmt
    assert audio_format in (1, 3, 0xFFFE) and bits in (16, 24, 32)
    return frames, channels, sample_rate


def test_engine_starts_and_overlay_fades(daw_page, browser_helpers):
    page = daw_page
    assert page.evaluate("document.body.dataset.engine") == "ready"
    page.wait_for_selector("#loading-overlay", state="hidden")
    assert page.text_content("#page-title") == "KICK WITH REVERB"
    # Every control of the contract has a knob showing the engine's Init value.
    for control in page.evaluate("window.kwr.contract.controls"):
        if control["field"] == "bpm":
            assert page.input_value("#bpm") == "140"
            continue
        assert knob_value(page, control["field"]) == pytest.approx(control["init"])
        assert engine_param(page, control["field"]) == pytest.approx(control["init"], rel=1e-4)
    browser_helpers.artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(browser_helpers.artifacts / "daw.png"), full_page=True)
    assert page.console_errors == []


def test_guest_sees_login_line_and_no_member_controls(daw_page):
    page = daw_page
    line = page.locator("#guest-line")
    assert "Log in for AI kick generation and your own presets" in line.inner_text()
    assert line.locator("a", has_text="Log in").get_attribute("href") == "/accounts/login/"
    assert line.locator("a", has_text="Sign up").get_attribute("href") == "/accounts/signup/"
    assert page.locator("#preset-name").count() == 0
    assert page.locator("#kickgen-entry").count() == 0


def test_play_produces_sound_and_stop_silences(daw_page):
    page = daw_page
    assert float(page.get_attribute("#output-meter", "data-peak")) < -60
    page.click("#play")
    assert page.get_attribute("#play", "aria-pressed") == "true"
    page.wait_for_function(
        "Number(document.getElementById('output-meter').dataset.peak) > -60", timeout=5000
    )
    page.keyboard.press(" ")
    assert page.get_attribute("#play", "aria-pressed") == "false"
    assert page.evaluate("window.kwr.engine.getState()")["playing"] is False


def test_knob_drag_wheel_keys_and_double_click_reach_the_engine(daw_page):
    page = daw_page
    drag_vertically(page, "#knob-kick_dist_amt", 100)  # half the travel: 0.25 of 0..0.5
    dragged = knob_value(page, "kick_dist_amt")
    assert dragged == pytest.approx(0.25, abs=0.01)
    assert engine_param(page, "kick_dist_amt") == pytest.approx(dragged, abs=1e-4)
    assert page.text_content("[data-value-for=kick_dist_amt]") == f"{round(dragged * 100)} %"

    # Length is a power-2 knob: half the travel from the top lands on 0.325.
    drag_vertically(page, "#knob-kick_len", -100)
    assert knob_value(page, "kick_len") == pytest.approx(0.325, abs=0.01)

    page.focus("#knob-noise_volume")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert knob_value(page, "noise_volume") == -68
    assert engine_param(page, "noise_volume") == pytest.approx(-68)

    page.locator("#knob-reverb_low_pass_freq").hover()
    page.mouse.wheel(0, 500)  # scrolling down turns the knob down
    assert knob_value(page, "reverb_low_pass_freq") < 7000

    page.dblclick("#knob-kick_dist_amt")
    assert knob_value(page, "kick_dist_amt") == 0
    assert engine_param(page, "kick_dist_amt") == 0


def test_hotkeys_follow_the_contract_and_stand_down_while_typing(daw_page):
    page = daw_page
    for _ in range(3):
        page.keyboard.press("s")
    assert engine_param(page, "kick_dist_amt") == pytest.approx(0.03, abs=1e-6)
    page.keyboard.press("=")
    assert page.input_value("#bpm") == "141"
    assert engine_param(page, "bpm") == 141
    page.keyboard.press("e")  # noise low-pass ×0.9
    assert knob_value(page, "noise_low_pass_freq") == 6300
    page.keyboard.press("]")  # both OTTs up, reverb volume down
    assert engine_param(page, "kick_ott_amt") == pytest.approx(0.02)
    assert engine_param(page, "master_ott_amt") == pytest.approx(0.02)
    assert engine_param(page, "reverb_volume") == pytest.approx(-7)

    # Typing in the BPM box is typing, not hotkeys.
    page.fill("#bpm", "")
    page.type("#bpm", "174")
    page.keyboard.press("Enter")
    assert engine_param(page, "bpm") == 174
    assert engine_param(page, "kick_dist_amt") == pytest.approx(0.03, abs=1e-6)

    # Out of range is clamped to the contract.
    page.fill("#bpm", "999")
    page.keyboard.press("Enter")
    assert page.input_value("#bpm") == "365"

    # The "?" overlay lists the keys and blocks them while it shows.
    page.keyboard.press("?")
    assert page.is_visible("#hotkeys-overlay")
    assert page.locator("#hotkeys-overlay td", has_text="×0.9 / ×1.1").count() == 4
    page.keyboard.press("s")
    assert engine_param(page, "kick_dist_amt") == pytest.approx(0.03, abs=1e-6)
    page.keyboard.press("Escape")
    assert page.is_hidden("#hotkeys-overlay")

    page.keyboard.down("Enter")
    page.wait_for_function("document.getElementById('cue').classList.contains('active')")
    page.keyboard.up("Enter")
    assert "active" not in page.get_attribute("#cue", "class")


def test_member_preset_saves_and_loads_every_control(member_page, browser_helpers):
    page = member_page
    assert page.locator("#guest-line").count() == 0
    assert page.is_visible("#kickgen-entry")
    page.select_option("#kick-sample", "Rumble")
    page.select_option("#noise-sample", "Rain")
    page.select_option("#reverb-sample", "Bunker")
    for key in ["s", "s", "x", "q", "o", "o", "e", "f", "v", "v", "t", "h", "b", "i", "k", "m"]:
        page.keyboard.press(key)
    page.fill("#bpm", "128")
    page.keyboard.press("Enter")
    saved = page.evaluate("window.kwr.sound.snapshot()")

    browser_helpers.save_preset(page, "Warehouse Roller")

    page.reload()
    page.wait_for_function("document.body.dataset.engine === 'ready'")
    browser_helpers.load_preset(page, "Init")
    assert page.evaluate("window.kwr.sound.get('kick_sample')") == "Warehouse"
    assert knob_value(page, "kick_dist_amt") == 0

    # Loading a preset while playing: no reload (the marker survives), playback goes on.
    page.evaluate("window.__sameDocument = true")
    page.click("#play")
    browser_helpers.load_preset(page, "Warehouse Roller")
    assert page.evaluate("window.kwr.sound.get('kick_sample')") == "Rumble"
    assert page.evaluate("window.__sameDocument === true && window.kwr.playing")
    state = page.evaluate("window.kwr.engine.getState()")
    assert state["playing"] is True
    assert state["selected"] == {"kick": "Rumble", "noise": "Rain", "ir": "Bunker"}
    assert page.input_value("#kick-sample") == "Rumble"
    assert page.input_value("#noise-sample") == "Rain"
    assert page.input_value("#reverb-sample") == "Bunker"
    assert page.input_value("#bpm") == "128"
    for control in page.evaluate("window.kwr.contract.controls"):
        field = control["field"]
        assert state["params"][field] == pytest.approx(saved[field], rel=1e-4, abs=1e-6), field
        if field != "bpm":
            assert knob_value(page, field) == pytest.approx(saved[field]), field


def test_export_downloads_wavs_matching_the_bpm(daw_page):
    page = daw_page
    page.fill("#bpm", "150")
    page.keyboard.press("Enter")
    with page.expect_download() as loop_download:
        page.click("[data-export=loop]")
    path = loop_download.value.path()
    assert loop_download.value.suggested_filename.endswith("loop-4bars-150bpm.wav")
    frames, channels, rate = wav_frames(Path(path))
    assert channels == 2
    assert frames == pytest.approx(4 * 4 * 60 / 150 * rate, abs=1)

    with page.expect_download() as hit_download:
        page.click("[data-export=hit]")
    frames, _, rate = wav_frames(Path(hit_download.value.path()))
    assert frames > 0.2 * rate  # the hit and its reverb tail


F_MINOR = {"F", "G", "G#", "A#", "C", "C#", "D#"}
MARKER_X = """() => {
  const canvas = document.getElementById("kick-waveform");
  const row = canvas.getContext("2d").getImageData(0, 1, canvas.width, 1).data;
  for (let x = 0; x < canvas.width; x += 1) {
    if (row[4 * x] > 200 && row[4 * x + 1] > 200 && row[4 * x + 2] > 200) return x / canvas.width;
  }
  return null;
}"""


def test_tune_to_key_and_waveform_length_cut(daw_page):
    page = daw_page
    page.wait_for_function("/c$/.test(document.getElementById('kick-pitch').textContent)")
    page.select_option("#tune-key", "F minor")
    page.wait_for_function(
        "(pattern) => new RegExp(pattern).test(document.getElementById('kick-pitch').textContent)",
        arg="^(F|G|G#|A#|C|C#|D#)-?\\d [−±+][01]c$",
    )
    note, cents = page.text_content("#kick-pitch").split(" ")
    assert note.rstrip("-0123456789") in F_MINOR
    assert abs(int(cents.strip("−±+c"))) <= 1
    tune = knob_value(page, "kick_tune")
    assert -12 <= tune <= 12
    assert engine_param(page, "kick_tune") == pytest.approx(tune, abs=1e-6)

    assert page.evaluate(MARKER_X) == pytest.approx(1.0, abs=0.01)
    page.evaluate("window.kwr.sound.set('kick_len', 0.5)")
    page.wait_for_function(f"({MARKER_X})() < 0.9")
    assert page.evaluate(MARKER_X) == pytest.approx(0.5, abs=0.01)


def test_engine_failure_is_reported_and_the_controls_still_work(page):
    page.route("**/static/engine/engine.wasm", lambda route: route.fulfill(status=503, body=""))
    page.goto("/")
    page.wait_for_function("document.body.dataset.engine === 'error'")
    assert "The audio engine could not start" in page.text_content("#loading-message")
    assert "HTTP 503" in page.text_content("#loading-message")
    page.keyboard.press("s")  # hotkeys stay off while the message shows
    assert knob_value(page, "kick_dist_amt") == 0
    page.click("#loading-dismiss")
    assert page.is_hidden("#loading-overlay")
    page.keyboard.press("s")
    assert knob_value(page, "kick_dist_amt") == pytest.approx(0.01)
    assert page.is_disabled("#play") and page.is_disabled("[data-export=loop]")
    page.keyboard.press(" ")  # nothing to play, nothing throws
    assert page.get_attribute("#play", "aria-pressed") == "false"
    assert [e for e in page.console_errors if "pageerror" in e] == []


def test_preset_event_applies_values_and_a_missing_sample_falls_back_to_init(daw_page):
    page = daw_page
    page.select_option("#kick-sample", "Punch")
    page.evaluate(
        """document.body.dispatchEvent(new CustomEvent("presetLoaded", {detail: {
            kick_sample: "AI: Nobody", noise_sample: "Tape Hiss", bpm: 99, noise_volume: -20}}))"""
    )
    page.wait_for_function("window.kwr.sound.get('kick_sample') === 'Warehouse'")
    state = page.evaluate("window.kwr.engine.getState()")
    assert state["selected"]["kick"] == "Warehouse"
    assert state["selected"]["noise"] == "Tape Hiss"
    assert state["params"]["bpm"] == 99
    assert state["params"]["noise_volume"] == pytest.approx(-20)
    assert page.input_value("#kick-sample") == "Warehouse"
    assert page.locator("#kick-sample option", has_text="AI: Nobody").count() == 0
