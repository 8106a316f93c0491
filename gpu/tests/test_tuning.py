"""Repitching a kick to its asked note (gpu.audio.tuning)."""

import numpy as np
import pytest

from gpu.audio.descriptors import tail_pitch_hz
from gpu.audio.output_format import N_SAMPLES, SAMPLE_RATE
from gpu.audio.tuning import MAX_SHIFT_ST, repitch, shift_semitones, tune


def decaying_sine(hz: float, decay_s: float = 0.25) -> np.ndarray:
    t = np.arange(N_SAMPLES) / SAMPLE_RATE
    return (np.sin(2 * np.pi * hz * t) * np.exp(-t / decay_s)).astype(np.float32)


def cents(a: float, b: float) -> float:
    return 1200 * abs(np.log2(a / b))


@pytest.mark.parametrize("semitones", [-2.5, -0.7, 0.4, 2.9])
def test_repitch_moves_the_tail_by_the_asked_interval_and_keeps_the_format(semitones):
    kick = decaying_sine(50.0)
    shifted = repitch(kick, semitones)
    assert shifted.shape == (N_SAMPLES,) and shifted.dtype == np.float32
    assert np.abs(shifted).max() == pytest.approx(1.0, abs=1e-6)
    assert abs(float(shifted.mean())) < 1e-3 and not shifted[round(1.75 * SAMPLE_RATE) :].any()
    assert cents(tail_pitch_hz(shifted), 50.0 * 2 ** (semitones / 12)) < 5


def test_tune_reaches_the_note_and_leaves_what_it_should_not_touch():
    kick = decaying_sine(47.0)
    tuned = tune(kick, 43.65)  # F1, 1.3 semitones down
    assert cents(tail_pitch_hz(tuned), 43.65) < 5
    assert tune(kick, None) is kick
    assert tune(kick, 47.0 * 2 ** (0.02 / 12)) is kick  # already in tune
    too_far = 47.0 * 2 ** ((MAX_SHIFT_ST + 0.5) / 12)
    assert shift_semitones(kick, too_far) is None and tune(kick, too_far) is kick
    noise = np.random.default_rng(0).normal(size=N_SAMPLES).astype(np.float32)
    noise[4410:] = 0.0  # a 0.1 s burst with no tail pitch
    assert tune(noise, 43.65) is noise
