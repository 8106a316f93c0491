"""Round trips through the pipeline's representation (VAE + vocoder, and the vocoder alone): how
much of a kick survives being encoded and rendered again, on synthetic held-out kicks and on
real ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gpu.audio.descriptors import FEATURES
from gpu.corpus.corpus import Corpus
from gpu.evaluation.generator import Generator, as_batch, describe_kicks
from gpu.evaluation.metrics import log_spectral_distance, semitone_error
from gpu.evaluation.realism import feature_matrix, spread


def reconstruction(generator: Generator, held_out: Corpus, count: int = 64) -> dict[str, Any]:
    """(e) VAE + vocoder round trip of held-out kicks, if the generator offers one."""
    reconstruct = getattr(generator, "reconstruct", None)
    if reconstruct is None:
        return {"skipped": f"{type(generator).__name__} has no reconstruct(audio) method"}
    original = held_out.audio[:count]
    rebuilt = as_batch(reconstruct(original), len(original))
    a, b = held_out.subset(range(len(original))).features(), describe_kicks(rebuilt)
    scale = spread(feature_matrix(held_out.features()))
    diff = np.abs(feature_matrix(a) - feature_matrix(b)) / scale
    return {
        "kicks": len(original),
        "log_spectral_distance_db": float(np.median(log_spectral_distance(original, rebuilt))),
        "feature_error_in_stds": {
            key: float(np.median(diff[:, j])) for j, key in enumerate(FEATURES)
        },
        "tail_pitch_median_abs_error_st": float(
            np.median(semitone_error(b["tail_pitch_hz"], a["tail_pitch_hz"]))
        ),
    }


BODY_LOCK_RATIO = 1.8
"""A round trip whose tail pitch is this many times the original's plays the body on a
harmonic (2nd or 3rd) instead of the fundamental."""


def real_reconstruction(generator: Generator, real: Corpus) -> dict[str, Any]:
    """VAE + vocoder round trip of every kick of a real folder: does the representation keep
    a real kick's note, its body on the fundamental, and its punch? Kicks without a measured
    tail pitch (unpitched in 100–390 ms) count for the transient share only. A generator that
    can also vocode a kick's own spectrogram reports the vocoder alone beside it, which tells
    the vocoder's share of the error from the VAE's."""
    reconstruct = getattr(generator, "reconstruct", None)
    if reconstruct is None:
        return {"skipped": f"{type(generator).__name__} has no reconstruct(audio) method"}
    original = real.features()
    report = {"kicks": len(real), "pitched": int(np.isfinite(original["tail_pitch_hz"]).sum())}
    report |= _round_trip_errors(original, real.audio, reconstruct)
    vocode = getattr(generator, "vocode", None)
    if vocode is not None:
        report["vocoder_alone"] = _round_trip_errors(original, real.audio, vocode)
    return report


def _round_trip_errors(
    original: dict[str, np.ndarray], audio: np.ndarray, rebuild: Callable[[np.ndarray], Any]
) -> dict[str, Any]:
    rebuilt = as_batch(rebuild(audio), len(audio))
    a, b = original, describe_kicks(rebuilt)
    pitched = np.isfinite(a["tail_pitch_hz"])
    ratio = b["tail_pitch_hz"][pitched] / a["tail_pitch_hz"][pitched]
    return {
        "tail_pitch_median_abs_error_st": float(
            np.median(semitone_error(b["tail_pitch_hz"][pitched], a["tail_pitch_hz"][pitched]))
        ),
        "body_on_a_harmonic": int(np.sum(ratio >= BODY_LOCK_RATIO)),
        "transient_share_median_abs_error": float(
            np.median(np.abs(b["transient_share"] - a["transient_share"]))
        ),
        "log_spectral_distance_db": float(np.median(log_spectral_distance(audio, rebuilt))),
    }
