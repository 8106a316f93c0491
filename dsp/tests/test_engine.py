"""The whole engine through its C ABI: transport, player, clamping, silence, memory, pitch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from .wasm import IR, KICK, NOISE

BPM, KICK_LEN, KICK_DIST, KICK_OTT, KICK_TUNE = 0, 1, 2, 3, 4
NOISE_LP, NOISE_HP, NOISE_VOL, REV_LP, REV_HP, REV_VOL = 5, 6, 7, 8, 9, 10
MASTER_OTT, MASTER_DIST, LIMITER = 11, 12, 13


def dry_engine(make_engine, sr):
    """Init state with the limiter at unity pre-gain and no reverb selected."""
    e = make_engine(sr)
    assert e.set(LIMITER, 1.0) == 0
    e.call("kwr_settle")
    return e


def load_noise_kick_and_ir(e, rng, kick: tuple[int, float], ir: tuple[int, float]) -> None:
    """Loads and selects white noise as the kick and as a stereo impulse response.

    `kick` and `ir` are (length in samples, gain).
    """
    (kick_len, kick_gain), (ir_len, ir_gain) = kick, ir
    assert e.load(KICK, 0, [(rng.standard_normal(kick_len) * kick_gain).astype(np.float32)]) == 0
    assert e.load(IR, 0, [(rng.standard_normal(ir_len) * ir_gain).astype(np.float32)] * 2) == 0
    e.call("kwr_select", KICK, 0)
    e.call("kwr_select", IR, 0)


def set_params(e, values: dict[int, float]) -> None:
    for pid, value in values.items():
        e.set(pid, value)


def click_kick(sr):
    kick = np.zeros(2000, np.float32)
    kick[0] = 0.5
    return kick


@pytest.mark.parametrize("sr", [44100.0, 48000.0])
@pytest.mark.parametrize("bpm", [60.0, 140.0, 365.0])
def test_beats_land_on_exact_samples(make_engine, sr, bpm):
    e = dry_engine(make_engine, sr)
    assert e.load(KICK, 0, [click_kick(sr)]) == 0
    assert e.call("kwr_select", KICK, 0) == 0
    e.set(BPM, bpm)
    warmup = 1234  # start mid-block
    e.render(warmup)
    e.call("kwr_play")
    beats = 12
    frames = int(beats * 60 * sr / bpm) + 500
    out = e.render(frames, block=128)[0]
    onsets = np.flatnonzero(out > 0.25)
    expected = [math.ceil(b * 60 * sr / bpm) for b in range(beats + 1)]
    expected = [x for x in expected if x < frames]
    assert onsets.tolist() == expected


def test_any_block_size_gives_the_same_output(make_engine):
    renders = []
    for block in (128, 1, 97, 1000, 4096):
        e = dry_engine(make_engine, 48000.0)
        load_noise_kick_and_ir(e, np.random.default_rng(0), kick=(20000, 0.3), ir=(9000, 0.02))
        set_params(
            e,
            {
                KICK_OTT: 0.6,
                MASTER_OTT: 0.5,
                KICK_DIST: 0.3,
                MASTER_DIST: 0.2,
                BPM: 300,
                LIMITER: 4,
            },
        )
        e.call("kwr_play")
        renders.append(e.render(30000, block=block))
    for r in renders[1:]:
        np.testing.assert_array_equal(r, renders[0])


def dominant_hz(x, sr):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), 1 << 20))
    k = int(np.argmax(spectrum))
    a, b, c = np.log(spectrum[k - 1 : k + 2])
    return (k + 0.5 * (a - c) / (a - 2 * b + c)) * sr / (1 << 20)


@pytest.mark.parametrize("semitones", [-12.0, -0.37, 7.0, 12.0])
def test_tune_resamples_by_the_semitone_ratio(make_engine, semitones):
    sr = 48000.0
    e = dry_engine(make_engine, sr)
    t = np.arange(int(sr)) / 44100.0  # a 44.1 kHz sample played at 48 kHz
    assert e.load(KICK, 0, [(0.5 * np.sin(2 * np.pi * 100 * t)).astype(np.float32)], 44100.0) == 0
    e.call("kwr_select", KICK, 0)
    e.set(KICK_TUNE, semitones)
    e.call("kwr_hit")
    out = e.render(12000)[0][100:8100]
    assert dominant_hz(out, sr) == pytest.approx(100 * 2 ** (semitones / 12), rel=2e-4)


def test_new_noise_starts_on_next_beat_and_restarts_the_cycle(make_engine):
    sr, bpm = 48000.0, 300.0
    e = dry_engine(make_engine, sr)
    spb = 60 * sr / bpm
    frames = int(40 * spb)
    # each bed is one click, at its own offset into the beat (the master OTT's crossover allpass
    # smears a click's sign, not its position)
    markers = (1000, 3000)
    for slot, marker in enumerate(markers):
        bed = np.zeros(frames, np.float32)
        bed[marker] = 0.8
        assert e.load(NOISE, slot, [bed, bed]) == 0
    e.call("kwr_select", NOISE, 0)
    e.set(NOISE_VOL, -6.0)
    e.set(BPM, bpm)
    e.call("kwr_play")
    out = e.render(int(3.5 * spb))[0]
    assert e.call("kwr_select", NOISE, 1) == 0  # mid-beat 3
    out = np.concatenate([out, e.render(int(30 * spb))[0]])

    def click(beat, bed):
        at = math.ceil(beat * spb) + markers[bed]
        return np.max(np.abs(out[at - 2 : at + 40]))

    # the 7 kHz low-pass spreads each click over a few samples (peak ≈ 0.14 before the
    # limiter's +3.75 dB makeup)
    assert click(0, 0) > 0.1  # noise A on beat 0
    assert click(4, 1) > 0.1  # B on the next beat (4) …
    assert max(click(b, 1) for b in range(4)) < 0.02  # … and not before
    assert max(click(16, 0), click(16, 1)) < 0.02  # the old cycle fires nothing on beat 16
    assert click(20, 1) > 0.1  # the new cycle: 4 + 16


def test_cue_plays_while_held_and_releases_in_100_ms(make_engine):
    sr = 48000.0
    e = dry_engine(make_engine, sr)
    bed = (0.4 * np.sin(2 * np.pi * 1000 * np.arange(int(sr)) / sr)).astype(np.float32)
    assert e.load(NOISE, 0, [bed]) == 0
    e.call("kwr_select", NOISE, 0)
    e.set(NOISE_VOL, -6.0)
    e.set(NOISE_HP, 30.0)
    e.call("kwr_cue", 1)
    held = e.render(int(0.5 * sr))[0]
    e.call("kwr_cue", 0)
    released = e.render(int(0.3 * sr))[0]
    assert np.mean(np.abs(held[-4800:])) > 0.05
    assert np.max(np.abs(released[int(0.1 * sr) + 10 :])) < 1e-3


def test_reverb_bus_mixes_70_dry_with_30_convolution(make_engine):
    """While an IR is selected the reverb layer hears 0.7 × its dry send + 0.3 × the
    convolution (the reference's shipped mix); with none selected it is silent. A quiet kick
    keeps the chain linear (an OTT at 0 is its crossover's allpass, the limiter below −10 dBFS
    is its makeup gain), so renders subtract and the bus can be read off exactly."""
    sr, delays = 48000.0, (1500, 2700)

    def render(ir_delays, reverb_db):
        e = make_engine(sr)
        kick = np.zeros(4000, np.float32)
        kick[0] = 0.01
        assert e.load(KICK, 0, [kick]) == 0
        e.call("kwr_select", KICK, 0)
        if ir_delays is not None:
            irs = [np.zeros(4000, np.float32) for _ in ir_delays]
            for ir, d in zip(irs, ir_delays, strict=True):
                ir[d] = 1.0
            assert e.load(IR, 0, irs) == 0
            e.call("kwr_select", IR, 0)
        e.set(REV_VOL, reverb_db)
        e.call("kwr_settle")
        e.call("kwr_hit")
        return e.render(8000).astype(np.float64)

    dry = render(None, 0.0)
    np.testing.assert_array_equal(dry, render(None, -60.0))  # no IR: no bus at all
    send = render((0, 0), 0.0) - dry  # an IR of one unit impulse: the bus is the send itself
    bus = render(delays, 0.0) - dry
    assert np.max(np.abs(send)) > 2e-3  # the impulse, smeared by the 7 kHz low-pass
    for ch, d in enumerate(delays):
        delayed = np.concatenate([np.zeros(d), send[ch][:-d]])
        np.testing.assert_allclose(
            bus[ch], 0.7 * send[ch] + 0.3 * delayed, atol=1e-5 * np.max(np.abs(send))
        )


def test_params_clamp_nan_inf_and_out_of_range(make_engine):
    e = make_engine()
    assert e.set(BPM, float("inf")) == 0 and e.get(BPM) == 365.0
    assert e.set(BPM, float("-inf")) == 0 and e.get(BPM) == 60.0
    assert e.set(BPM, float("nan")) == 0 and e.get(BPM) == 60.0  # NaN keeps the value
    assert e.set(KICK_TUNE, 99) == 0 and e.get(KICK_TUNE) == 12.0
    assert e.set(NOISE_LP, 1.0) == 0 and e.get(NOISE_LP) == 30.0
    assert e.set(REV_VOL, -1e30) == 0 and e.get(REV_VOL) == -60.0
    assert e.set(LIMITER, 0.5) == 0 and e.get(LIMITER) == 1.0
    assert e.set(99, 1.0) == -6
    assert e.set(-1, 1.0) == -6


def test_bad_samples_and_slots_are_refused(make_engine):
    e = make_engine()
    assert e.call("kwr_load", KICK, 0, 0, 1, 100, 48000.0) == -3
    assert e.load(KICK, 999, [np.zeros(10, np.float32)]) == -2
    assert e.load(7, 0, [np.zeros(10, np.float32)]) == -1
    assert e.call("kwr_select", KICK, 3) == -5
    assert e.call("kwr_select", IR, 40) == -2
    # NaN/inf inside a sample are cleaned at load: the output stays finite
    bad = np.full(5000, np.nan, np.float32)
    bad[::2] = np.inf
    assert e.load(KICK, 0, [bad]) == 0
    e.call("kwr_select", KICK, 0)
    e.call("kwr_hit")
    assert np.all(np.isfinite(e.render(10000)))


def test_ten_minutes_of_silence_after_a_hit_are_exact_zeros(make_engine):
    sr = 44100.0
    e = make_engine(sr)
    load_noise_kick_and_ir(e, np.random.default_rng(2), kick=(20000, 0.5), ir=(40000, 0.05))
    set_params(e, {KICK_OTT: 1.0, MASTER_OTT: 1.0, KICK_DIST: 0.5, MASTER_DIST: 0.5, LIMITER: 8.0})
    e.call("kwr_hit")
    first = e.render(int(3 * sr), block=4096)
    assert np.any(first) and np.all(np.isfinite(first))
    peak = 0.0
    for _ in range(10 * 60 // 20):
        chunk = e.render(int(20 * sr), block=65536)
        assert np.all(np.isfinite(chunk))
        peak = max(peak, float(np.max(np.abs(chunk))))
    assert peak == 0.0


def test_all_stock_sounds_and_30_ai_kicks_fit(make_engine, stock_sounds):
    for sr in (44100, 48000):
        e = make_engine(float(sr))
        stock = stock_sounds(sr)
        for kind, code in (("kicks", KICK), ("noises", NOISE), ("irs", IR)):
            for slot, s in enumerate(stock[kind]):
                assert e.load(code, slot, s["channels"], s["sampleRate"]) == 0, (sr, s["name"])
        rng = np.random.default_rng(3)
        for k in range(30):
            kick = (rng.standard_normal(88200) * 0.3).astype(np.float32)
            assert e.load(KICK, 5 + k, [kick], 44100.0) == 0, (sr, k)
        assert e.call("kwr_memory_free") > 0
        for code, slot in ((KICK, 34), (NOISE, 4), (IR, 10)):
            assert e.call("kwr_select", code, slot) == 0
        e.call("kwr_play")
        assert np.all(np.isfinite(e.render(4096)))


def test_memory_is_refused_cleanly_when_full(make_engine):
    e = make_engine(48000.0, 24 << 20)
    big = np.zeros(2_500_000, np.float32)
    assert e.load(KICK, 0, [big]) == 0
    assert e.load(KICK, 1, [big]) == -4  # no room: nothing changes
    assert e.call("kwr_select", KICK, 0) == 0
    assert e.call("kwr_unload", KICK, 0) == 0
    assert e.load(KICK, 1, [big]) == 0  # freed memory is reusable


@pytest.mark.parametrize("hz", [41.2, 55.0, 87.3])
def test_tail_pitch_of_a_kick(make_engine, hz):
    sr = 44100.0
    e = make_engine(sr)
    t = np.arange(int(sr)) / sr
    f = hz + (200 - hz) * np.exp(-t / 0.015)
    phase = 2 * np.pi * np.cumsum(f) / sr
    kick = (np.sin(phase) * np.exp(-t / 0.4)).astype(np.float32)
    assert e.load(KICK, 0, [kick], sr) == 0
    assert e.call("kwr_kick_pitch", 0) == pytest.approx(hz, rel=0.01)
    silent = np.zeros(int(sr), np.float32)
    assert e.load(KICK, 1, [silent], sr) == 0
    assert e.call("kwr_kick_pitch", 1) == 0.0


def test_meter_reports_peak_and_rms(make_engine):
    e = dry_engine(make_engine, 48000.0)
    assert e.load(KICK, 0, [np.full(4000, 0.5, np.float32)]) == 0
    e.call("kwr_select", KICK, 0)
    e.call("kwr_hit")
    out = e.render(2000)
    ptr = e.call("kwr_meter_read")
    peak_db, rms_db = e.read_f32(ptr, 2)
    assert peak_db == pytest.approx(20 * np.log10(np.max(np.abs(out))), abs=0.01)
    assert rms_db == pytest.approx(10 * np.log10(np.mean(out.astype(np.float64) ** 2)), abs=0.01)
    assert rms_db < peak_db
    e.render(10)
    ptr = e.call("kwr_meter_read")
    tail = e.render(10)
    ptr = e.call("kwr_meter_read")
    assert e.read_f32(ptr, 2)[0] == pytest.approx(20 * np.log10(np.max(np.abs(tail))), abs=0.01)
