"""Output format of every generated kick and the post-processing that guarantees it.

A kick is 2.000 s of mono float32 at 44.1 kHz. The reference's tail treatment is kept: a cubic
fade from 1.0 s to 1.75 s and digital silence after, so heavy compression downstream cannot
raise a click or a noise floor at the end of the sample.
"""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 44_100
N_SAMPLES = 88_200
FADE_START_S = 1.0
FADE_END_S = 1.75


def tail_envelope(n_samples: int = N_SAMPLES, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Gain per sample: 1 before 1.0 s, (1 - x)^3 over the fade, 0 from 1.75 s on. (n_samples,)"""
    t = np.arange(n_samples, dtype=np.float64) / sample_rate
    x = np.clip((t - FADE_START_S) / (FADE_END_S - FADE_START_S), 0.0, 1.0)
    return ((1.0 - x) ** 3).astype(np.float32)


def finish(audio: np.ndarray) -> np.ndarray:
    """Fit raw model output to the kick format: length, tail fade, zero DC, peak 1.

    audio: (N,) or (B, N) float, any length. Returns float32 (B, 88200) or (88200,).
    The DC offset is removed with the fade envelope itself as the basis (x - c * env), which
    zeroes the mean exactly while keeping the silent tail silent.
    """
    single = audio.ndim == 1
    batch = np.atleast_2d(np.asarray(audio))  # (B, N)
    out = np.zeros((batch.shape[0], N_SAMPLES), dtype=np.float32)
    n = min(N_SAMPLES, batch.shape[1])
    out[:, :n] = np.nan_to_num(batch[:, :n], nan=0.0, posinf=0.0, neginf=0.0)
    env = _ENVELOPE
    out *= env
    # Mean accumulated in float64: float32 sums over 88 200 samples drift by ~1e-5.
    out -= (out.mean(axis=1, keepdims=True, dtype=np.float64) / _ENVELOPE_MEAN).astype(
        np.float32
    ) * env
    peak = np.abs(out).max(axis=1, keepdims=True)
    out /= np.maximum(peak, 1e-9)
    return out[0] if single else out


_ENVELOPE = tail_envelope()
_ENVELOPE_MEAN = float(_ENVELOPE.mean(dtype=np.float64))
