"""Deterministic train / held-out split keyed on kick names.

A kick's side is decided by a hash of its name alone, so the split does not depend on the
order of files, on how many kicks the corpus has, or on the Python process (no `hash()`
randomisation): adding samples to a folder never moves an existing kick across the line.
"""

from __future__ import annotations

import hashlib

import numpy as np

from gpu.corpus.corpus import Corpus


def held_out_mask(names: list[str], fraction: float = 0.1, salt: str = "kwr-split") -> np.ndarray:
    """(N,) bool: True for the kicks that belong to the held-out side."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(
            f"The held-out fraction must lie strictly between 0 and 1; got {fraction}."
        )
    draws = np.array(
        [
            int.from_bytes(hashlib.sha256(f"{salt}:{name}".encode()).digest()[:8], "big")
            for name in names
        ],
        dtype=np.float64,
    )
    return draws / 2.0**64 < fraction


def split(corpus: Corpus, fraction: float = 0.1, salt: str = "kwr-split") -> tuple[Corpus, Corpus]:
    """(train, held_out) of a corpus; see `held_out_mask`."""
    mask = held_out_mask(corpus.names, fraction, salt)
    return corpus.subset(np.flatnonzero(~mask)), corpus.subset(np.flatnonzero(mask))
