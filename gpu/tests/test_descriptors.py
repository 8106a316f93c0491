"""Each descriptor on synthetic signals whose answer is known in closed form."""

import numpy as np
import pytest

from gpu.audio.descriptors import (
    DESCRIPTOR_KEYS,
    body_cycles,
    describe,
    describe_batch,
    hz_to_note,
    note_to_hz,
    tail_pitch_hz,
)

SR = 44100
T = np.arange(88200) / SR


def sine(hz: float, tau_s: float | None = None) -> np.ndarray:
    wave = np.sin(2 * np.pi * hz * T)
    return wave if tau_s is None else wave * np.exp(-T / tau_s)


def swept_kick(end_hz: float, start_hz: float, sweep_s: float, tau_s: float) -> np.ndarray:
    cycles = end_hz * T + (start_hz - end_hz) * sweep_s * (1 - np.exp(-T / sweep_s))
    return np.sin(2 * np.pi * cycles) * np.exp(-T / tau_s)


def test_a_55_hz_sine_is_a1_with_zero_cents():
    hz = tail_pitch_hz(sine(55.0).astype(np.float32))
    assert hz == pytest.approx(55.0, abs=0.01)
    assert hz_to_note(hz) == ("A1", 0)


@pytest.mark.parametrize("hz", [27.5, 32.70, 43.65, 61.74, 98.0, 180.0])
def test_tail_pitch_of_decaying_sines_within_three_cents(hz):
    # The decay biases YIN's period slightly (most at the lowest notes); 3 cents is far
    # inside the ±100 cents of the note-adherence check.
    measured = tail_pitch_hz(sine(hz, tau_s=0.25))
    assert abs(1200 * np.log2(measured / hz)) < 3


def test_tail_pitch_ignores_octave_errors_from_saturation():
    driven = np.tanh(8 * sine(41.2, tau_s=0.4))  # odd harmonics, square-ish
    assert hz_to_note(tail_pitch_hz(driven))[0] == "E1"


@pytest.mark.parametrize("tau_s", [0.05, 0.1, 0.3])
def test_decay_to_minus_30_db_matches_the_time_constant(tau_s):
    expected_ms = 1000 * tau_s * np.log(10**1.5)  # amplitude −30 dB at τ·ln(10^1.5)
    measured = describe(sine(50.0, tau_s))["decay_ms"]
    assert measured == pytest.approx(expected_ms, rel=0.03)


def test_pitch_drop_and_f0_of_a_swept_kick():
    d = describe(swept_kick(45.0, 360.0, sweep_s=0.004, tau_s=0.2))
    assert d["f0_150ms_hz"] == pytest.approx(45.0, rel=0.01)
    assert d["tail_pitch_hz"] == pytest.approx(45.0, rel=0.01)
    # Over 1–11 ms the sweep averages 45 + 315·(e^-0.25 − e^-2.75)·0.4 Hz ≈ 130 Hz.
    mean_hz = 45 + 315 * (np.exp(-0.25) - np.exp(-2.75)) * 0.4
    # Zero crossings weight the fast start a little more than a time average does.
    assert d["pitch_drop_st"] == pytest.approx(12 * np.log2(mean_hz / 45), abs=1.5)


def cut(kick: np.ndarray, seconds: float) -> np.ndarray:
    """The kick up to `seconds`, digital silence after (a short sample file, padded)."""
    out = kick.copy()
    out[round(seconds * SR) :] = 0.0
    return out


def test_a_kick_silent_before_120_ms_takes_its_pitch_where_it_still_sounds():
    kick = cut(swept_kick(55.0, 220.0, sweep_s=0.005, tau_s=0.03), 0.060)
    d = describe(kick)
    assert d["tail_pitch_hz"] == pytest.approx(55.0, rel=0.01)
    assert d["f0_150ms_hz"] == pytest.approx(55.0, rel=0.01)
    assert tail_pitch_hz(kick) == d["tail_pitch_hz"]


def test_a_short_body_outside_the_tail_range_has_no_tail_pitch():
    tom = cut(sine(300.0, tau_s=0.02), 0.060)
    d = describe(tom)
    assert d["f0_150ms_hz"] == pytest.approx(300.0, rel=0.01)  # searched up to 500 Hz
    assert np.isnan(d["tail_pitch_hz"])  # searched up to 200 Hz


def test_body_cycles_follow_a_fast_sweep_hop_by_hop():
    kick = swept_kick(45.0, 360.0, sweep_s=0.004, tau_s=0.2)
    click = np.random.default_rng(0).normal(scale=0.3, size=300) * np.hanning(300)
    kick[:300] += np.diff(np.concatenate([[0.0], click]))  # a bright click the low-pass ignores
    cycles, weight = body_cycles(np.stack([kick, np.zeros_like(kick)]), hop=256, n_hops=319)
    edges = np.arange(320) * 256 / SR
    sweep = 45.0 * edges + 315.0 * 0.004 * (1 - np.exp(-edges / 0.004))
    trusted = weight[0] > 0
    assert trusted[:100].all() and not weight[1].any()  # a silent row has nothing to trust
    # Each hop edge's phase is interpolated between crossings: a few hundredths of a cycle.
    assert np.allclose(cycles[0, trusted], np.diff(sweep)[trusted], rtol=0.01, atol=0.04)
    assert cycles[0, :10].sum() == pytest.approx(sweep[10], abs=0.02)
    # The level floor (40 dB under the loudest hop) ends the trust before the decay does.
    assert not trusted[-20:].any()


def test_body_cycles_distrust_a_recorded_room_after_the_body_has_faded():
    """A short body (τ 20 ms) over a room tail (noise low-passed below 500 Hz, τ 300 ms):
    once the body has faded the crossings count the room, hop counts jump around, and those
    hops are not trusted; the attack's hops all are."""
    rng = np.random.default_rng(1)
    spectrum = np.fft.rfft(rng.normal(size=len(T)))
    room = np.fft.irfft(spectrum / np.sqrt(1 + (np.fft.rfftfreq(len(T), 1 / SR) / 500) ** 4))
    kick = swept_kick(50.0, 300.0, sweep_s=0.005, tau_s=0.02)
    kick += 0.05 * room / room.std() * np.exp(-T / 0.3)
    cycles, weight = body_cycles(kick[None], hop=256, n_hops=319)
    attack = round(0.05 * SR / 256)
    assert weight[0, :attack].all()
    late = slice(round(0.2 * SR / 256), round(0.6 * SR / 256))  # the room alone
    hz = cycles[0, late] * SR / 256
    assert np.std(np.log2(hz)) > 0.3  # the room's counts wander...
    assert weight[0, late].mean() < 0.5  # ...and most of them are distrusted


def test_body_cycles_refuses_one_dimensional_audio():
    with pytest.raises(ValueError, match=r"shape \(B, N\)"):
        body_cycles(np.zeros(1000), hop=256, n_hops=3)


def test_a_steady_sine_has_no_pitch_drop():
    assert abs(describe(sine(80.0, 0.3))["pitch_drop_st"]) < 0.1


def test_transient_share_is_the_energy_in_the_first_15_ms():
    burst = np.zeros(88200)
    burst[:441] = 1.0  # 10 ms burst, all inside the window
    burst[4410:8820] = np.sqrt(441 / 4410)  # as much energy again, later
    assert describe(burst)["transient_share"] == pytest.approx(0.5, abs=1e-6)


def test_harmonic_share_of_a_sine_and_of_a_square_wave():
    assert describe(sine(50.0, 0.5))["harmonic_share"] < 1e-3
    square = np.sign(sine(50.0)) * np.exp(-T / 0.5)
    # A square wave's fundamental carries 8/π² of the power; the rest is harmonics.
    assert describe(square)["harmonic_share"] == pytest.approx(1 - 8 / np.pi**2, abs=0.02)


def test_centroid_of_the_attack_follows_a_pure_tone():
    assert describe(sine(1000.0, 0.5))["centroid_hz"] == pytest.approx(1000.0, rel=0.03)
    clicked = sine(50.0, 0.3)
    clicked[:100] += np.random.default_rng(0).standard_normal(100)
    assert describe(clicked)["centroid_hz"] > 2 * describe(sine(50.0, 0.3))["centroid_hz"]


def test_batch_equals_single_and_has_every_key():
    kicks = np.stack([sine(40.0, 0.2), swept_kick(60.0, 300.0, 0.01, 0.1)])
    batch = describe_batch(kicks)
    assert set(batch) == set(DESCRIPTOR_KEYS)
    for i, kick in enumerate(kicks):
        single = describe(kick)
        for key in DESCRIPTOR_KEYS:
            assert batch[key][i] == pytest.approx(single[key], rel=1e-9)


def test_silence_gives_nan_pitch_and_zero_features():
    d = describe(np.zeros(88200, dtype=np.float32))
    assert np.isnan(d["tail_pitch_hz"]) and np.isnan(d["f0_150ms_hz"])
    assert d["decay_ms"] == d["transient_share"] == d["harmonic_share"] == 0.0


def test_bad_shapes_and_rates_are_refused_with_a_sentence():
    with pytest.raises(ValueError, match="1-D"):
        describe(np.zeros((2, 100)))
    with pytest.raises(ValueError, match=r"\(N, T\)"):
        describe_batch(np.zeros(100))
    with pytest.raises(ValueError, match="sample rate"):
        tail_pitch_hz(np.zeros(1000), sr=100)
    broken = sine(50.0, 0.2)
    broken[500] = np.nan
    with pytest.raises(ValueError, match="finite audio"):
        describe(broken)
    with pytest.raises(ValueError, match="finite audio"):
        tail_pitch_hz(broken)


@pytest.mark.parametrize(
    ("note", "hz"),
    [("A4", 440.0), ("A1", 55.0), ("C1", 32.7032), ("F1", 43.6535), ("F#1", 46.2493)],
)
def test_note_to_hz(note, hz):
    assert note_to_hz(note) == pytest.approx(hz, rel=1e-5)


def test_flats_equal_their_sharps_and_cb_is_the_octave_below():
    assert note_to_hz("Gb1") == note_to_hz("F#1")
    assert note_to_hz("Bb0") == note_to_hz("A#0")
    assert note_to_hz("Cb2") == pytest.approx(note_to_hz("B1"))
    assert note_to_hz("f1") == note_to_hz("F1")


@pytest.mark.parametrize("name", ["C1", "C#1", "D1", "F1", "G#1", "B1", "A2"])
def test_note_round_trip(name):
    assert hz_to_note(note_to_hz(name)) == (name, 0)


def test_cents_are_signed_offsets_from_the_nearest_note():
    assert hz_to_note(note_to_hz("F1") * 2 ** (-12 / 1200)) == ("F1", -12)
    assert hz_to_note(note_to_hz("F1") * 2 ** (30 / 1200)) == ("F1", 30)


@pytest.mark.parametrize("bad", ["H1", "F", "F#", "1F", "", "F##1"])
def test_bad_note_names_are_refused(bad):
    with pytest.raises(ValueError, match="not a note name"):
        note_to_hz(bad)


@pytest.mark.parametrize("bad", [0.0, -5.0, float("nan"), float("inf")])
def test_hz_to_note_refuses_non_positive_frequencies(bad):
    with pytest.raises(ValueError, match="positive, finite"):
        hz_to_note(bad)


def test_a_click_of_a_few_samples_has_no_pitch_and_breaks_nothing():
    click = np.zeros(88200)
    click[:20] = np.hanning(20)
    d = describe(click)
    assert np.isnan(d["tail_pitch_hz"]) and np.isnan(d["f0_150ms_hz"])
    assert d["decay_ms"] < 20.0
