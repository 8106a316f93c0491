"""How alike two kicks sound: to drop repeated renders, and to keep look-alike kits together.

A kick's fingerprint is its first second, mono at 44.1 kHz, from the first sample that
reaches 1 % of its peak. The distance between two kicks is ‖a/‖a‖ − b/‖b‖‖ for the best of
±2 samples of lag: gain-free, because the training loader normalises every kick's peak, so
the same kick at another level is the same example. It runs from 0 (equal up to gain) to 2.

Equal kicks do not render bit-equal: fluidsynth starts a note on a 64-sample block boundary,
so its sample data meets the output grid at another phase in each slot — hence the lag.

Measured on the packaged corpus (hydrogen, LMMS and notes 35/36 of six soundfonts): 398
renders lie within DUPLICATE (0.1) of an earlier one — GM kits reusing the Standard kit's
sample at another level — and are dropped as repeats. Of the 160 kicks kept, one note of
one kit hit at velocity 40 and 127 (velocity also moves the filter) lies 0.12–0.26 apart in
three of four such pairs (median 0.21 over 30), and 22 lie
within FAMILY (0.3) of a kick in another kit: MuseScore's kits re-processed from FluidR3's
samples (0.16–0.3), FluidR3's Room 3 / Standard 4, TimGM6mb's and sf_GMbank's shared
samples. The nearest other-kit distances thin out above that (4 kicks in 0.3–0.4, most ≥
0.5). Kits holding a pair closer than FAMILY are one family and land on the same side of
the split.
"""

from __future__ import annotations

import numpy as np

from gpu.audio.output_format import SAMPLE_RATE

DUPLICATE = 0.1
FAMILY = 0.3
_LAG = 2
_LENGTH = SAMPLE_RATE


def fingerprint(mono: np.ndarray) -> np.ndarray:
    """(_LENGTH + 2·_LAG,) float64 from a mono kick (T,) at 44.1 kHz, unit norm at lag 0."""
    peak = float(np.abs(mono).max(initial=0.0))
    onset = int(np.argmax(np.abs(mono) >= 0.01 * peak)) if peak > 0 else 0
    out = np.zeros(_LENGTH + 2 * _LAG)
    start = max(0, onset - _LAG)
    part = mono[start : onset + _LENGTH + _LAG]
    out[start - (onset - _LAG) :][: len(part)] = part
    norm = np.linalg.norm(out[_LAG:-_LAG])
    return out / norm if norm > 0 else out


def distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) distances between fingerprints a (N, L) and b (M, L), best lag each."""
    core = a[:, _LAG:-_LAG]  # (N, _LENGTH)
    best = np.full((len(a), len(b)), -np.inf)
    for lag in range(-_LAG, _LAG + 1):
        shifted = b[:, _LAG + lag : _LAG + lag + _LENGTH]  # (M, _LENGTH)
        norms = np.linalg.norm(shifted, axis=1)
        best = np.maximum(best, (core @ shifted.T) / np.where(norms > 0, norms, 1.0))
    return np.sqrt(np.maximum(0.0, 2.0 - 2.0 * best))


class RenderIndex:
    """Renders already taken, to drop a new one within DUPLICATE of any of them."""

    def __init__(self) -> None:
        self._taken = np.zeros((0, _LENGTH + 2 * _LAG))  # (K, L) fingerprints
        self.repeats = 0

    def add_if_new(self, clip: np.ndarray) -> bool:
        """Record `clip` (T, channels) and return True, unless it repeats a taken one."""
        new = fingerprint(clip.mean(axis=1))[None]  # (1, L)
        if len(self._taken) and distances(new, self._taken).min() < DUPLICATE:
            self.repeats += 1
            return False
        self._taken = np.concatenate([self._taken, new])
        return True


def kit_families(kit_ids: list[str], prints: np.ndarray, limit: float = FAMILY) -> dict[str, str]:
    """{kit: family} where kits sharing a pair of kicks closer than `limit` (and kits linked
    through such kits) form one family, named by its first kit id in sorted order.
    kit_ids[i] is the kit of fingerprint prints[i] (N, L)."""
    parent = {kit: kit for kit in kit_ids}

    def root(kit: str) -> str:
        while parent[kit] != kit:
            parent[kit] = parent[parent[kit]]
            kit = parent[kit]
        return kit

    close = distances(prints, prints) < limit  # (N, N)
    for i, j in zip(*np.nonzero(close), strict=True):
        a, b = root(kit_ids[i]), root(kit_ids[j])
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {kit: root(kit) for kit in kit_ids}
