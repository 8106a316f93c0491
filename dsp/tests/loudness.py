"""Integrated loudness (ITU-R BS.1770-4) and 1/3-octave band levels, for the sound tests.

K-weighting is the standard's two biquads (high shelf + RLB high-pass), designed for any sample
rate from their analogue parameters by the bilinear transform as libebur128 does; at 48 kHz they
reproduce the coefficients printed in BS.1770-4 Table 1 and 2 (checked in test_loudness.py).
Gating: 400 ms blocks every 100 ms, absolute gate −70 LUFS, relative gate −10 LU.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal


def k_weighting(sample_rate: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two K-weighting sections as (b, a) pairs."""
    # stage 1: high shelf, +4 dB above ~1.7 kHz (the head's acoustic effect)
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / sample_rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (
        np.array(
            [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
        ),
        np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]),
    )
    # stage 2: RLB high-pass at ~38 Hz
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / sample_rate)
    a0 = 1 + k / q + k * k
    highpass = (
        np.array([1.0, -2.0, 1.0]),
        np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]),
    )
    return [shelf, highpass]


def integrated_loudness(channels: np.ndarray, sample_rate: float) -> float:
    """LUFS of (channels, frames) audio (left/right weighted 1.0); −inf when all is gated out."""
    x = np.atleast_2d(np.asarray(channels, np.float64))
    for b, a in k_weighting(sample_rate):
        x = signal.lfilter(b, a, x, axis=1)
    block, step = round(0.4 * sample_rate), round(0.1 * sample_rate)
    if x.shape[1] < block:
        return -math.inf
    starts = range(0, x.shape[1] - block + 1, step)
    power = np.array([np.sum(np.mean(x[:, s : s + block] ** 2, axis=1)) for s in starts])
    with np.errstate(divide="ignore"):
        block_lufs = -0.691 + 10 * np.log10(power)
    kept = power[block_lufs > -70.0]
    if not kept.size:
        return -math.inf
    relative_gate = -0.691 + 10 * np.log10(np.mean(kept)) - 10.0
    with np.errstate(divide="ignore"):
        kept = kept[-0.691 + 10 * np.log10(kept) > relative_gate]
    return float(-0.691 + 10 * np.log10(np.mean(kept)))


# 1/3-octave centres (base-ten series, IEC 61260), 25 Hz … 8 kHz: every band below 10 kHz
THIRD_OCTAVE_CENTRES = 1000.0 * 10.0 ** (np.arange(-16, 10) / 10.0)


def third_octave_levels(channels: np.ndarray, sample_rate: float) -> np.ndarray:
    """Energy per 1/3-octave band (dB, both channels summed) from one FFT of the whole signal."""
    x = np.atleast_2d(np.asarray(channels, np.float64))
    power = np.sum(np.abs(np.fft.rfft(x, axis=1)) ** 2, axis=0)
    freqs = np.fft.rfftfreq(x.shape[1], 1.0 / sample_rate)
    edges = 10.0 ** (1.0 / 20.0)
    levels = []
    for fc in THIRD_OCTAVE_CENTRES:
        band = power[(freqs >= fc / edges) & (freqs < fc * edges)]
        levels.append(10 * np.log10(np.sum(band) + 1e-30))
    return np.array(levels)
