"""The page's pure ES modules (static/js/contract.js, tune.js, hotkeys.js) run in Chromium,
imported by the page itself: knob curves, rounding, hotkey steps, value text, tune to key."""

import pytest

pytestmark = pytest.mark.browser

IMPORT = """async ([module, code]) => {
  const m = await import(`/static/js/${module}`);
  const contract = window.kwr.contract;
  const c = Object.fromEntries(contract.controls.map((control) => [control.field, control]));
  return new Function("m", "c", `return (${code});`)(m, c);
}"""


@pytest.fixture(scope="module")
def modules_page(browser, daphne_server):
    context = browser.new_context(base_url=daphne_server.url, bypass_csp=True)  # new Function
    page = context.new_page()
    page.goto("/")
    page.wait_for_function("window.kwr !== undefined")
    yield page
    context.close()


def run(page, module: str, code: str):
    return page.evaluate(IMPORT, [module, code])


@pytest.mark.parametrize(
    ("field", "position", "value"),
    [
        ("kick_len", 0.5, 0.325),  # power 2
        ("kick_len", 1.0, 1.0),
        ("noise_low_pass_freq", 0.5, (30 * 7000) ** 0.5),  # log: the geometric middle
        ("noise_low_pass_freq", 0.0, 30),
        ("reverb_volume", 0.5, -30),  # linear
        ("master_limiter_amt", 0.25, 2.75),
    ],
)
def test_knob_curves_round_trip(modules_page, field, position, value):
    assert run(modules_page, "contract.js", f"m.fromPosition(c.{field}, {position})") == (
        pytest.approx(value)
    )
    assert run(modules_page, "contract.js", f"m.toPosition(c.{field}, {value})") == pytest.approx(
        position
    )


def test_values_are_clamped_rounded_and_never_nan(modules_page):
    page = modules_page
    assert run(page, "contract.js", "m.normalize(c.bpm, 400.4)") == 365
    assert run(page, "contract.js", "m.normalize(c.bpm, 127.6)") == 128
    assert run(page, "contract.js", "m.normalize(c.kick_tune, -3.14159)") == -3.14
    assert run(page, "contract.js", "m.normalize(c.noise_volume, NaN)") == -70
    assert run(page, "contract.js", "m.normalize(c.noise_volume, 'loud')") == -70
    assert run(page, "contract.js", "m.normalize(c.master_ott_amt, Infinity)") == 0


def test_hotkey_steps_follow_design(modules_page):
    page = modules_page
    assert run(page, "contract.js", "m.stepValue(c.kick_len, 1, -1)") == 0.95
    assert run(page, "contract.js", "m.stepValue(c.noise_low_pass_freq, 1000, +1)") == 1100
    assert run(page, "contract.js", "m.stepValue(c.noise_low_pass_freq, 1000, -1)") == 900
    assert run(page, "contract.js", "m.stepValue(c.kick_dist_amt, 0.5, +1)") == 0.5
    assert run(page, "contract.js", "m.stepValue(c.master_limiter_amt, 1.5, -1)") == 1.4
    # A fine step below the resolution still moves by one resolution step.
    assert run(page, "contract.js", "m.stepValue(c.noise_high_pass_freq, 30, +1, 0.01)") == 31
    assert run(page, "contract.js", "m.describeStep(c.kick_len)") == "×0.95 / ×1.05"


def test_value_text_has_units(modules_page):
    page = modules_page
    cases = {
        "m.formatValue(c.kick_len, 0.325)": "32.5 %",
        "m.formatValue(c.noise_low_pass_freq, 7000)": "7.00 kHz",
        "m.formatValue(c.noise_high_pass_freq, 30)": "30 Hz",
        "m.formatValue(c.reverb_volume, -6)": "−6.0 dB",
        "m.formatValue(c.kick_tune, 1.5)": "+1.50 st",
        "m.formatValue(c.master_limiter_amt, 1.5)": "1.50 ×",
        "m.formatValue(c.bpm, 140)": "140 BPM",
    }
    for code, text in cases.items():
        assert run(page, "contract.js", code) == text


def test_tune_to_key(modules_page):
    page = modules_page
    assert run(page, "tune.js", "m.formatPitch(m.hzToMidi(440))") == "A4 ±0c"
    assert run(page, "tune.js", "m.formatPitch(m.hzToMidi(43.65) - 0.12)") == "F1 −12c"
    # A tail on A1 in F minor moves to the nearer of G#1 (−1 st) and A#1 (+1 st) → G#1.
    assert run(page, "tune.js", "m.snapTune(33, 0, m.parseKey('F minor'))") == -1
    # Already tuned up by 0.6 st (A1 + 0.6 = A#1 − 0.4): A#1 is nearest → +1 st in total.
    assert run(page, "tune.js", "m.snapTune(33, 0.6, m.parseKey('F minor'))") == 1
    # The snap never leaves the tune range.
    assert run(page, "tune.js", "m.snapTune(33, 11.9, m.parseKey('C major'), -12, 12)") <= 12
    assert run(page, "tune.js", "m.parseKey('')") is None
    error = page.evaluate(
        "import('/static/js/tune.js').then((m) => { try { m.parseKey('H dorian') }"
        " catch (e) { return e.message } })"
    )
    assert error == '"H dorian" is not a key like "F minor".'


def test_text_fields_switch_hotkeys_off(modules_page):
    page = modules_page
    code = (
        "['input', 'textarea', 'button', 'select'].map((tag) => {"
        " const el = document.createElement(tag); return m.isTextField(el); })"
    )
    assert run(page, "hotkeys.js", code) == [True, True, False, False]
    assert (
        run(
            page,
            "hotkeys.js",
            "m.isTextField(Object.assign(document.createElement('input'), {type: 'checkbox'}))",
        )
        is False
    )
