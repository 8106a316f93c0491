"""A NumPy model of JUCE's juce::dsp::Limiter with the reference product's settings (threshold
0 dB, release 10 ms): the loudness our master stage is held to.

Written from JUCE's public sources (modules/juce_dsp/widgets/juce_Limiter.cpp, juce_Compressor.cpp,
processors/juce_BallisticsFilter.cpp): per channel, two Compressor stages, each a peak
BallisticsFilter (coefficient exp(−2π·1000 / (fs·t_ms)), 0 below 1 µs) and the gain
(env/threshold)^(1/ratio − 1) at or above the threshold; stage 1 at −10 dB, 4:1, 2/200 ms; stage 2
at 0 dB, 1000:1, 0.001/10 ms; then × 10^(10·(1 − 1/4)/40) (+3.75 dB) and a hard clip at ±1.
"""

from __future__ import annotations

import math

import numpy as np

MAKEUP = 10 ** (10 * (1 - 1 / 4) / 40)


def _coef(ms: float, sample_rate: float) -> float:
    return 0.0 if ms < 1e-3 else math.exp(-2 * math.pi * 1000 / (sample_rate * ms))


def _stage(x, sample_rate, threshold_db, ratio, attack_ms, release_ms):
    att, rel = _coef(attack_ms, sample_rate), _coef(release_ms, sample_rate)
    threshold = 10 ** (threshold_db / 20)
    env = np.empty_like(x)
    e = 0.0
    for i, r in enumerate(np.abs(x)):
        e = r + (att if r > e else rel) * (e - r)
        env[i] = e
    gain = np.where(env < threshold, 1.0, (np.maximum(env, 1e-30) / threshold) ** (1 / ratio - 1))
    return x * gain


def limit(channels: np.ndarray, sample_rate: float, pregain: float) -> np.ndarray:
    """(channels, frames) → the reference's limiter output, pre-gain applied first."""
    out = []
    for x in np.atleast_2d(np.asarray(channels, np.float64)) * pregain:
        y = _stage(x, sample_rate, -10.0, 4.0, 2.0, 200.0)
        y = _stage(y, sample_rate, 0.0, 1000.0, 0.001, 10.0)
        out.append(np.clip(y * MAKEUP, -1.0, 1.0))
    return np.array(out)
