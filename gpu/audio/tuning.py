"""Tuning a generated kick to the note it was asked for, as a sampler's tune knob does.

The diffusion model places a kick's tail pitch only roughly (v6: a median 0.5 semitone off,
and at the ends of its range it overshoots by a semitone or more, since guidance extrapolates
away from the unconditional pitch). A producer tunes such a kick by repitching it; so does
the pipeline: measure the tail pitch (the descriptors' YIN, 100–390 ms) and resample the whole
kick by the ratio to the asked note. Like a sampler, the shift moves the decay too (at most
by the same ratio: 3 semitones are 19 %). A kick with no measurable tail pitch, or one more
than ``MAX_SHIFT_ST`` away (a different body, not a detuned one), is left as it is.
"""

from __future__ import annotations

import math

import numpy as np

from gpu.audio.descriptors import tail_pitch_hz
from gpu.audio.output_format import finish

MAX_SHIFT_ST = 3.0
IN_TUNE_ST = 0.05  # closer than this (5 cents) is not worth a resampling


def shift_semitones(audio: np.ndarray, target_hz: float) -> float | None:
    """Semitones from the kick's measured tail pitch to ``target_hz``; None if the kick has
    no tail pitch or lies further than MAX_SHIFT_ST."""
    measured = tail_pitch_hz(audio)
    if not math.isfinite(measured):
        return None
    shift = 12.0 * math.log2(target_hz / measured)
    return shift if abs(shift) <= MAX_SHIFT_ST else None


def repitch(audio: np.ndarray, semitones: float) -> np.ndarray:
    """Play a kick (N,) faster or slower by 2 ** (semitones / 12): band-limited (FFT)
    resampling, then ``finish`` (length, tail fade, DC, peak). -> float32 (88200,)."""
    ratio = 2.0 ** (semitones / 12.0)
    n = len(audio)
    m = max(round(n / ratio), 2)
    spectrum = np.fft.rfft(np.asarray(audio, dtype=np.float64))  # (n // 2 + 1,)
    kept = np.zeros(m // 2 + 1, dtype=complex)
    bins = min(len(kept), len(spectrum))
    kept[:bins] = spectrum[:bins]
    return finish(np.fft.irfft(kept, m) * (m / n))


def tune(audio: np.ndarray, target_hz: float | None) -> np.ndarray:
    """One kick (N,) repitched to ``target_hz`` (None: unchanged); see the module docstring."""
    if target_hz is None:
        return audio
    shift = shift_semitones(audio, target_hz)
    if shift is None or abs(shift) < IN_TUNE_ST:
        return audio
    return repitch(audio, shift)
