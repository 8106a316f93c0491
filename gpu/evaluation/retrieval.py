"""A generator that picks kicks from a corpus instead of making them: the metrics' reference
point (`python -m gpu.evaluate --against held-out` scores it over fresh synthetic kicks) and
the tests' stand-in for a pipeline."""

from __future__ import annotations

from typing import Any

import numpy as np

from gpu.audio.descriptors import note_to_hz
from gpu.corpus.corpus import Corpus


class RetrievalGenerator:
    """Answers `generate` by picking kicks from a corpus — the metrics' reference point.

    Keywords filter the pool (all words must be labels of the kick); note/decay_ms/punch pick
    the candidates nearest in standardised descriptor distance; the seed chooses among the
    four best, so different seeds give different kicks and the same seed the same kick.
    """

    def __init__(self, pool: Corpus):
        self.pool = pool
        self.vocabulary = pool.vocabulary
        d = pool.features()
        self._targets = {
            "note": np.log2(np.where(np.isfinite(d["tail_pitch_hz"]), d["tail_pitch_hz"], 1.0)),
            "decay_ms": np.log2(np.maximum(d["decay_ms"], 1.0)),
            "punch": d["transient_share"],
        }
        self._scale = {key: max(float(np.std(v)), 1e-9) for key, v in self._targets.items()}

    def generate(
        self,
        prompt: str | None = None,
        seed: int | None = None,
        note: str | None = None,
        decay_ms: float | None = None,
        punch: float | None = None,
        n: int = 1,
        **_: Any,
    ) -> np.ndarray:
        words = set((prompt or "").split())
        unknown = words - set(self.vocabulary)
        if unknown:
            raise ValueError(f"Unknown keywords {sorted(unknown)}; vocabulary: {self.vocabulary}")
        candidates = np.array(
            [i for i, labels in enumerate(self.pool.keywords) if words <= set(labels)], dtype=int
        )
        if candidates.size == 0:
            candidates = np.arange(len(self.pool))
        cost = np.zeros(len(candidates))
        asked = {
            "note": None if note is None else np.log2(note_to_hz(note)),
            "decay_ms": None if decay_ms is None else np.log2(max(decay_ms, 1.0)),
            "punch": punch,
        }
        for key, value in asked.items():
            if value is not None:
                cost += ((self._targets[key][candidates] - value) / self._scale[key]) ** 2
        rng = np.random.default_rng(seed)
        if any(v is not None for v in asked.values()):
            best = candidates[np.argsort(cost, kind="stable")[:4]]
            picks = best[rng.integers(0, len(best), size=n)]
        else:
            picks = candidates[rng.integers(0, len(candidates), size=n)]
        audio = self.pool.audio[picks]
        return audio[0] if n == 1 else audio
