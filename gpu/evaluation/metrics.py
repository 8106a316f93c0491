"""The evaluation's measures as pure functions of feature matrices and audio: diversity,
near-duplicates, novelty, keyword control, note error, artifacts, log-spectral distance. The
evaluation space (feature_matrix, spread) and fidelity live in gpu.evaluation.realism, which
the real-folder comparison shares."""

from __future__ import annotations

from typing import Any

import numpy as np

from gpu.audio.output_format import N_SAMPLES, SAMPLE_RATE
from gpu.corpus.keywords import RULES_BY_KEYWORD
from gpu.evaluation.realism import spread


def _pairwise(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    squared = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.maximum(squared, 0.0))


def mean_pairwise_distance(features: np.ndarray, scale: np.ndarray) -> float:
    """Mean Euclidean distance over distinct pairs of standardised feature vectors."""
    z = features / scale
    n = len(z)
    if n < 2:
        return 0.0
    d = _pairwise(z, z)
    return float(d[np.triu_indices(n, k=1)].mean())


def diversity_ratio(generated: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    scale = spread(reference)
    gen = mean_pairwise_distance(generated, scale)
    ref = mean_pairwise_distance(reference, scale)
    return {"ratio": gen / ref if ref > 0 else 0.0, "generated": gen, "held_out": ref}


def near_duplicate_pairs(audio: np.ndarray, threshold: float = 0.99) -> int:
    """Pairs of kicks whose waveforms have cosine similarity ≥ threshold."""
    x = np.asarray(audio, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1)
    x = x / np.where(norms > 0, norms, 1.0)[:, None]
    cosine = x @ x.T
    return int((cosine[np.triu_indices(len(x), k=1)] >= threshold).sum())


def novelty(
    generated: np.ndarray, held_out: np.ndarray, train: np.ndarray, percentile: float = 1.0
) -> dict[str, float]:
    """Share of generated kicks nearer to a training kick than the held-out kicks' 1st
    percentile of nearest-training distance (memorisation); standardised by held-out std."""
    scale = spread(held_out)
    nearest_gen = _pairwise(generated / scale, train / scale).min(axis=1)
    nearest_ref = _pairwise(held_out / scale, train / scale).min(axis=1)
    threshold = float(np.percentile(nearest_ref, percentile))
    return {
        "share": float((nearest_gen < threshold).mean()),
        "threshold": threshold,
        "median_nearest_generated": float(np.median(nearest_gen)),
        "median_nearest_held_out": float(np.median(nearest_ref)),
    }


def control_share(keyword: str, with_keyword: np.ndarray, unconditional: np.ndarray) -> float:
    """Share of seed-paired kicks where the keyword's defining feature moves the right way."""
    rule = RULES_BY_KEYWORD[keyword]
    return float(np.mean(rule.beats(with_keyword, unconditional)))


def semitone_error(measured_hz: np.ndarray, target_hz: np.ndarray) -> np.ndarray:
    """|12·log2(measured / target)|; an unpitched kick counts as infinitely wrong."""
    with np.errstate(divide="ignore", invalid="ignore"):
        error = np.abs(12.0 * np.log2(measured_hz / target_hz))
    return np.where(np.isfinite(error), error, np.inf)


def artifacts(audio: np.ndarray) -> dict[str, Any]:
    """Counts of kicks failing each check; ok when every count is 0."""
    x = np.asarray(audio, dtype=np.float64)
    finite = np.isfinite(x).all(axis=1)
    safe = np.where(np.isfinite(x), x, 0.0)
    tail = safe[:, -int(0.25 * SAMPLE_RATE) :]
    counts = {
        "non_finite": int((~finite).sum()),
        "peak_over_1": int((np.abs(safe).max(axis=1) > 1.0).sum()),
        "dc_over_1e-3": int((np.abs(safe.mean(axis=1)) >= 1e-3).sum()),
        "tail_not_silent": int((np.abs(tail).max(axis=1) > 1e-5).sum()),
        "wrong_length": 0 if x.shape[1] == N_SAMPLES else len(x),
    }
    return {"ok": all(v == 0 for v in counts.values()), "kicks": len(x), **counts}


def log_spectral_distance(a: np.ndarray, b: np.ndarray, n_fft: int = 1024) -> np.ndarray:
    """Per-kick RMS difference of log-magnitude STFTs in dB (hop n_fft/4, Hann)."""
    hop = n_fft // 4
    window = np.hanning(n_fft)

    def log_mag(x: np.ndarray) -> np.ndarray:
        frames = np.lib.stride_tricks.sliding_window_view(x, n_fft, axis=1)[:, ::hop]
        return 20.0 * np.log10(np.abs(np.fft.rfft(frames * window, axis=-1)) + 1e-5)

    diff = log_mag(np.asarray(a, np.float64)) - log_mag(np.asarray(b, np.float64))
    return np.sqrt((diff**2).mean(axis=(1, 2)))
