"""Each DSP unit against a NumPy/SciPy reference of the same maths (through the wasm harness)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal

RATES = (44100.0, 48000.0)


def run_svf(h, fc, sr, x, mode, q=0.70710678):
    src, dst = h.buffer(x), h.buffer(len(x))
    h.h_svf(fc, q, sr, src, dst, len(x), mode)
    return h.read_f32(dst, len(x))


def impulse(n):
    x = np.zeros(n, np.float32)
    x[0] = 1.0
    return x


def magnitude_db(ir, freq, sr):
    n = len(ir)
    w = np.exp(-2j * np.pi * freq / sr * np.arange(n))
    return 20 * np.log10(abs(np.sum(ir.astype(np.float64) * w)))


@pytest.mark.parametrize("sr", RATES)
@pytest.mark.parametrize("fc", [30.0, 200.0, 1000.0, 7000.0])
def test_svf_is_minus_3_db_at_cutoff(harness, sr, fc):
    n = int(40 * sr / fc) + 4096
    for mode in (0, 1):
        ir = run_svf(harness, fc, sr, impulse(n), mode)
        assert magnitude_db(ir, fc, sr) == pytest.approx(-3.0103, abs=0.01)


@pytest.mark.parametrize("sr", RATES)
def test_svf_matches_bilinear_butterworth(harness, sr):
    x = np.random.default_rng(3).standard_normal(8192).astype(np.float32)
    for mode, btype in ((0, "lowpass"), (1, "highpass")):
        b, a = signal.butter(2, 1234.0, btype=btype, fs=sr)
        ref = signal.lfilter(b, a, x.astype(np.float64))
        got = run_svf(harness, 1234.0, sr, x, mode)
        assert np.max(np.abs(got - ref)) < 2e-5 * np.max(np.abs(ref))


def test_svf_pair_clamps_and_smooths(harness):
    sr, n = 48000.0, 48000
    x = np.random.default_rng(4).standard_normal(n).astype(np.float32)
    # out-of-range cutoffs clamp to 30 Hz / 7 kHz: same as asking for the limits
    outs = []
    for lp, hp in ((1e9, -5.0), (7000.0, 30.0)):
        left = harness.buffer(x)
        harness.h_svf_pair(sr, lp, hp, left, 0, n, 128, 1)
        outs.append(harness.read_f32(left, n))
    np.testing.assert_array_equal(outs[0], outs[1])
    # a snapped low-pass at 500 Hz vs scipy: cascade LP(500) then HP(30)
    left = harness.buffer(x)
    harness.h_svf_pair(sr, 500.0, 30.0, left, 0, n, 77, 1)
    b1, a1 = signal.butter(2, 500.0, fs=sr)
    b2, a2 = signal.butter(2, 30.0, btype="highpass", fs=sr)
    ref = signal.lfilter(b2, a2, signal.lfilter(b1, a1, x.astype(np.float64)))
    assert np.max(np.abs(harness.read_f32(left, n) - ref)) < 1e-4 * np.max(np.abs(ref))
    # unsnapped: the move from 7 kHz down to 500 Hz is a glide, not a step (no click)
    left = harness.buffer(x)
    harness.h_svf_pair(sr, 500.0, 30.0, left, 0, n, 128, 0)
    glide = harness.read_f32(left, n)
    early = np.std(glide[:240])  # first 5 ms: still mostly open
    assert early > 2 * np.std(ref[:240])
    np.testing.assert_allclose(glide[24000:], ref[24000:], atol=1e-3 * np.max(np.abs(ref)))


def test_waveshaper_formula_and_dry_passthrough(harness):
    x = np.linspace(-1.5, 1.5, 4001, dtype=np.float32)
    for wet in (0.5, 0.25):
        buf = harness.buffer(x)
        harness.h_shaper(48000.0, wet, buf, len(x))
        y = x.astype(np.float64)
        ref = y + wet * (np.tanh(6 * y) + 0.1 * y * y - y)
        np.testing.assert_allclose(harness.read_f32(buf, len(x)), ref, atol=2e-6)
    buf = harness.buffer(x)
    harness.h_shaper(48000.0, 0.0, buf, len(x))
    np.testing.assert_array_equal(harness.read_f32(buf, len(x)), x)
    # out of range wet clamps to 0.5
    buf = harness.buffer(x)
    harness.h_shaper(48000.0, 7.0, buf, len(x))
    y = x.astype(np.float64)
    np.testing.assert_allclose(
        harness.read_f32(buf, len(x)), y + 0.5 * (np.tanh(6 * y) + 0.1 * y * y - y), atol=2e-6
    )


def test_math_approximations(harness):
    for v in np.linspace(-20, 20, 81):
        assert harness.h_tanh(float(v)) == pytest.approx(np.tanh(v), abs=2e-7)
        assert harness.h_exp(float(v)) == pytest.approx(np.exp(v), rel=5e-7)
    for v in np.geomspace(1e-30, 1e30, 61):
        assert harness.h_log(float(v)) == pytest.approx(np.log(v), abs=5e-6)


@pytest.mark.parametrize("sr", RATES)
def test_crossover_bands_sum_flat_and_split_at_100_and_2500(harness, sr):
    n = 1 << 16
    src = harness.buffer(impulse(n))
    lo, mid, hi = (harness.buffer(n) for _ in range(3))
    harness.h_ott_split(0, sr, src, lo, mid, hi, n)
    bands = [harness.read_f32(p, n).astype(np.float64) for p in (lo, mid, hi)]
    total = np.abs(np.fft.rfft(sum(bands)))
    freqs = np.fft.rfftfreq(n, 1 / sr)
    audible = (freqs > 10) & (freqs < 20000)
    assert np.max(np.abs(20 * np.log10(total[audible]))) < 0.01
    # Linkwitz-Riley: each neighbour pair is −6 dB at its crossover
    assert magnitude_db(bands[0], 100.0, sr) == pytest.approx(-6.02, abs=0.05)
    assert magnitude_db(bands[1], 100.0, sr) == pytest.approx(-6.02, abs=0.1)
    assert magnitude_db(bands[1], 2500.0, sr) == pytest.approx(-6.02, abs=0.1)
    assert magnitude_db(bands[2], 2500.0, sr) == pytest.approx(-6.02, abs=0.05)
    # 4th order: 24 dB/octave well away from the crossover
    assert magnitude_db(bands[0], 800.0, sr) < -70


def test_ott_gain_computer(harness):
    def ref(variant, band, level, amount):
        down = 10.0 if variant == 0 else 8.0
        eq = ([9, -3, 0] if variant == 0 else [3, -3, 0])[band]
        up = [3, 4, 5][band]
        if level > -20:
            comp = -(level + 20) * (1 - 1 / down)
        elif level < -40:
            comp = min((-40 - level) * (1 - 1 / up), 30.0)
        else:
            comp = 0.0
        return amount * (comp + eq + 18)

    for variant in (0, 1):
        for band in range(3):
            for level in (-80.0, -50.0, -40.0, -30.0, -20.0, -6.0, 0.0, 6.0):
                for amount in (0.0, 0.5, 1.0):
                    got = harness.h_ott_gain_db(variant, band, level, amount)
                    assert got == pytest.approx(ref(variant, band, level, amount), abs=1e-4)


def test_ott_amount_zero_is_exact_passthrough(harness):
    x = np.random.default_rng(5).standard_normal(10000).astype(np.float32) * 0.5
    for variant, stereo in ((0, False), (1, True)):
        left, right = harness.buffer(x), harness.buffer(x[::-1].copy()) if stereo else 0
        harness.h_ott(variant, 48000.0, 0.0, left, right, len(x), 128)
        np.testing.assert_array_equal(harness.read_f32(left, len(x)), x)
        if stereo:
            np.testing.assert_array_equal(harness.read_f32(right, len(x)), x[::-1])


def test_ott_compresses_loud_and_lifts_quiet(harness):
    sr, n = 48000.0, 48000
    t = np.arange(n) / sr

    def out_db(amplitude):
        x = (amplitude * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)  # mid band
        buf = harness.buffer(x)
        harness.h_ott(0, sr, 1.0, buf, 0, n, 128)
        return 20 * np.log10(np.max(np.abs(harness.read_f32(buf, n)[-4800:])))

    # above −20 dB a 12 dB step in shrinks to about 12/10 dB out (10:1 downward)
    assert out_db(1.0) - out_db(0.25) < 3.0
    # below −40 dB a 10 dB step shrinks to about 10/4 dB (4:1 upward in the mid band) …
    assert out_db(10 ** (-50 / 20)) - out_db(10 ** (-60 / 20)) < 5.0
    # … and quiet material comes up by more than 15 dB
    assert out_db(10 ** (-60 / 20)) > -45.0


def test_ott_silence_in_exact_silence_out(harness):
    n = 10 * 48000
    buf = harness.buffer(np.zeros(n, np.float32))
    harness.h_ott(1, 48000.0, 1.0, buf, buf, n, 128)
    assert not np.any(harness.read_f32(buf, n))


@pytest.mark.parametrize("sr", RATES)
def test_limiter_ceiling_under_24_db_burst(harness, sr):
    n = int(sr)
    rng = np.random.default_rng(6)
    x = (0.3 * rng.standard_normal((2, n))).astype(np.float32)
    x[:, n // 3 : n // 2] *= 10 ** (24 / 20)  # +24 dB burst
    x[0, 1000] = np.inf
    x[1, 2000] = np.nan
    left, right = harness.buffer(x[0]), harness.buffer(x[1])
    harness.h_limiter(sr, 8.0, 10.0, left, right, n)
    y = np.stack([harness.read_f32(left, n), harness.read_f32(right, n)])
    assert np.all(np.isfinite(y))
    assert np.max(np.abs(y)) <= 1.0
    assert np.max(np.abs(y)) > 0.9  # it limits, it does not just attenuate everything


def test_limiter_leaves_quiet_signal_untouched_but_delayed(harness):
    sr, n = 48000.0, 20000
    x = (0.2 * np.sin(np.arange(n) * 0.05)).astype(np.float32)
    left, right = harness.buffer(x), harness.buffer(x)
    latency = harness.h_limiter(sr, 1.0, 30.0, left, right, n)
    y = harness.read_f32(left, n)
    assert latency == int(0.0015 * sr)
    np.testing.assert_array_equal(y[latency:], x[: n - latency])
    assert not np.any(y[:latency])


def test_limiter_release_recovers_within_50_ms(harness):
    sr, n = 48000.0, 48000
    x = np.full(n, 0.5, np.float32)
    x[1000:1100] = 4.0
    left, right = harness.buffer(x), harness.buffer(x)
    latency = harness.h_limiter(sr, 1.0, 50.0, left, right, n)
    y = harness.read_f32(left, n)
    after = 1100 + latency + int(0.05 * sr) * 5  # five time constants
    assert y[after] == pytest.approx(0.5, rel=1e-2)


def test_real_fft_matches_numpy(harness):
    for n in (8, 128, 4096, 32768):
        x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
        src, re, im, back = (
            harness.buffer(x),
            harness.buffer(n // 2),
            harness.buffer(n // 2),
            harness.buffer(n),
        )
        harness.h_fft_roundtrip(n // 2, src, re, im, back)
        packed = harness.read_f32(re, n // 2) + 1j * harness.read_f32(im, n // 2)
        # bit-reversed order: position q holds bin rev(q); position 0 packs DC and Nyquist
        bits = (n // 2).bit_length() - 1
        rev = [int(format(q, f"0{bits}b")[::-1], 2) for q in range(n // 2)]
        spec = np.zeros(n // 2, complex)
        spec[rev] = packed
        ref = np.fft.rfft(x.astype(np.float64))
        scale = np.max(np.abs(ref))
        assert abs(packed[0].real - ref[0].real) < 1e-5 * scale
        assert abs(packed[0].imag - ref[-1].real) < 1e-5 * scale
        assert np.max(np.abs(spec[1:] - ref[1 : n // 2])) < 1e-5 * scale
        np.testing.assert_allclose(harness.read_f32(back, n) / n, x, atol=1e-5)


def conv_run(h, x, blocks):
    n = len(x)
    src, out_l, out_r = h.buffer(x), h.buffer(n), h.buffer(n)
    pos = k = 0
    while pos < n:
        m = min(blocks[k % len(blocks)], n - pos)
        h.h_conv_process(src + 4 * pos, out_l + 4 * pos, out_r + 4 * pos, m)
        pos += m
        k += 1
    return h.read_f32(out_l, n), h.read_f32(out_r, n)


@pytest.mark.parametrize(
    ("ir_seconds", "stereo", "blocks"),
    [
        (0.001, False, [128]),
        (0.05, True, [1, 7, 128, 333]),
        (0.9, True, [128]),
        (3.0, True, [441, 64, 2048]),
    ],
)
def test_convolution_equals_numpy_convolve(harness, ir_seconds, stereo, blocks):
    sr = 44100.0
    rng = np.random.default_rng(7)
    frames = int(ir_seconds * sr)
    decay = np.exp(-np.arange(frames) / max(frames / 5, 1))
    irs = [(rng.standard_normal(frames) * decay).astype(np.float32) for _ in range(2)]
    assert harness.h_conv_create(sr) == 0
    assert (
        harness.h_conv_load(
            0, harness.buffer(irs[0]), harness.buffer(irs[1]) if stereo else 0, frames
        )
        == 0
    )
    harness.h_conv_select(0)
    n = frames + 6000
    x = np.zeros(n, np.float32)
    x[:4000] = rng.standard_normal(4000)
    left, right = conv_run(harness, x, blocks)
    for got, ir in ((left, irs[0]), (right, irs[1] if stereo else irs[0])):
        # numpy.convolve for short filters; the same sum through float64 FFTs for long ones
        ref = (np.convolve if frames < 5000 else signal.fftconvolve)(
            x.astype(np.float64), ir.astype(np.float64)
        )[:n]
        assert np.max(np.abs(got - ref)) < 1e-5 * np.max(np.abs(ref))


def test_convolution_switch_crossfades_to_the_exact_new_convolution(harness):
    sr = 48000.0
    rng = np.random.default_rng(8)
    frames = 40000
    ir_a = (rng.standard_normal(frames) * np.exp(-np.arange(frames) / 8000)).astype(np.float32)
    ir_b = (rng.standard_normal(frames) * np.exp(-np.arange(frames) / 8000)).astype(np.float32)
    assert harness.h_conv_create(sr) == 0
    assert harness.h_conv_load(0, harness.buffer(ir_a), 0, frames) == 0
    assert harness.h_conv_load(1, harness.buffer(ir_b), 0, frames) == 0
    harness.h_conv_select(0)
    x = rng.standard_normal(60000).astype(np.float32)
    first = 30011  # switch mid-block
    a_left, _ = conv_run(harness, x[:first], [128])
    harness.h_conv_select(1)
    b_left, _ = conv_run(harness, x[first:], [128])
    y = np.concatenate([a_left, b_left])
    ref_a = signal.fftconvolve(x.astype(np.float64), ir_a.astype(np.float64))[: len(x)]
    ref_b = signal.fftconvolve(x.astype(np.float64), ir_b.astype(np.float64))[: len(x)]
    fade = int(0.05 * sr)
    scale = np.max(np.abs(ref_b))
    np.testing.assert_allclose(y[:first], ref_a[:first], atol=1e-5 * scale)
    np.testing.assert_allclose(y[first + fade :], ref_b[first + fade :], atol=1e-5 * scale)
    # during the fade: an equal-power blend of the two, no jump at the switch
    mid = first + fade // 2
    g = np.sqrt(0.5)
    assert y[mid] == pytest.approx(g * ref_a[mid] + g * ref_b[mid], abs=1e-3 * scale)
    assert abs(y[first] - ref_a[first]) < 0.05 * scale


def test_convolution_silence_after_tail_is_exact_zero(harness):
    sr = 48000.0
    frames = 20000
    ir = np.random.default_rng(9).standard_normal(frames).astype(np.float32)
    assert harness.h_conv_create(sr) == 0
    assert harness.h_conv_load(0, harness.buffer(ir), 0, frames) == 0
    harness.h_conv_select(0)
    x = np.zeros(200000, np.float32)
    x[:100] = 1.0
    left, right = conv_run(harness, x, [128])
    peak = np.max(np.abs(left))
    # past the IR only FFT rounding remains, and once the burst has left every partition's
    # delay line (one largest block, 2 × 16384 samples) the output is exactly zero
    assert np.max(np.abs(left[frames + 100 :])) < 1e-6 * peak
    settled = frames + 100 + 2 * 16384
    assert not np.any(left[settled:]) and not np.any(right[settled:])
