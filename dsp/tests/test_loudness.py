"""The BS.1770 meter the sound tests rely on, against the standard's own figures."""

from __future__ import annotations

import numpy as np
import pytest

from .loudness import integrated_loudness, k_weighting, third_octave_levels


def test_k_weighting_at_48k_is_the_standards_table():
    (b1, a1), (b2, a2) = k_weighting(48000.0)
    np.testing.assert_allclose(
        b1, [1.53512485958697, -2.69169618940638, 1.19839281085285], atol=1e-9
    )
    np.testing.assert_allclose(a1, [1.0, -1.69065929318241, 0.73248077421585], atol=1e-9)
    np.testing.assert_allclose(b2, [1.0, -2.0, 1.0])
    np.testing.assert_allclose(a2, [1.0, -1.99004745483398, 0.99007225036621], atol=1e-9)


@pytest.mark.parametrize("sr", [44100.0, 48000.0])
def test_full_scale_997_hz_sine_in_one_channel_is_minus_3_lufs(sr):
    t = np.arange(int(5 * sr)) / sr
    x = np.stack([np.sin(2 * np.pi * 997 * t), np.zeros_like(t)])
    assert integrated_loudness(x, sr) == pytest.approx(-3.01, abs=0.02)
    assert integrated_loudness(0.1 * x, sr) == pytest.approx(-23.01, abs=0.02)


def test_gating_drops_silence():
    sr = 48000.0
    t = np.arange(int(2 * sr)) / sr
    tone = np.sin(2 * np.pi * 997 * t)
    x = np.stack([np.concatenate([tone, np.zeros(int(8 * sr))])] * 2)
    # ungated, 8 s of silence after 2 s of tone would take 7 dB off; only the few 400 ms blocks
    # that straddle the end of the tone pull the gated figure down
    assert -0.5 < integrated_loudness(x, sr) < -0.1


def test_third_octave_band_holds_its_tone():
    sr = 48000.0
    t = np.arange(int(sr)) / sr
    levels = third_octave_levels(np.sin(2 * np.pi * 1000 * t), sr)
    loudest = int(np.argmax(levels))
    assert loudest == 16  # the 1 kHz band
    assert levels[loudest] - np.sort(levels)[-2] > 30
