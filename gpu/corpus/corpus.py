"""A set of finished kicks with their keyword labels — what training and evaluation consume."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from gpu.audio.descriptors import describe_batch


@dataclass
class Corpus:
    """N kicks. audio (N, 88200) float32 at 44.1 kHz; keywords[i] labels kick i; names[i] is
    a file-name-like identifier; params holds per-kick (N,) arrays (synthesis parameters, or
    the source path / sample rate for a folder); descriptors caches `describe_batch(audio)`."""

    audio: np.ndarray
    keywords: list[list[str]]
    names: list[str]
    params: dict[str, np.ndarray] = field(default_factory=dict)
    descriptors: dict[str, np.ndarray] | None = None

    def __post_init__(self) -> None:
        n = len(self.audio)
        if self.audio.ndim != 2:
            raise ValueError(f"Corpus audio must be (N, samples); got shape {self.audio.shape}.")
        if len(self.keywords) != n or len(self.names) != n:
            raise ValueError(
                f"Corpus has {n} kicks but {len(self.keywords)} keyword lists "
                f"and {len(self.names)} names."
            )
        for key, values in self.params.items():
            if len(values) != n:
                raise ValueError(f"Corpus param {key!r} has {len(values)} values for {n} kicks.")

    def __len__(self) -> int:
        return len(self.audio)

    @property
    def vocabulary(self) -> list[str]:
        """Every keyword used by at least one kick, sorted."""
        return sorted({word for words in self.keywords for word in words})

    def keyword_counts(self) -> Counter[str]:
        return Counter(word for words in self.keywords for word in words)

    def features(self) -> dict[str, np.ndarray]:
        """Descriptors of every kick (computed once, then cached)."""
        if self.descriptors is None:
            self.descriptors = describe_batch(self.audio)
        return self.descriptors

    @classmethod
    def concat(cls, parts: list[Corpus]) -> Corpus:
        """The kicks of every part, in order; params kept where every part has them, cached
        descriptors where every part has measured them."""
        if not parts:
            raise ValueError("Corpus.concat() needs at least one corpus.")
        shared = set.intersection(*(set(part.params) for part in parts))
        measured = all(part.descriptors is not None for part in parts)
        return cls(
            audio=np.concatenate([part.audio for part in parts]),
            keywords=[list(words) for part in parts for words in part.keywords],
            names=[name for part in parts for name in part.names],
            params={key: np.concatenate([part.params[key] for part in parts]) for key in shared},
            descriptors={
                key: np.concatenate([part.descriptors[key] for part in parts])
                for key in parts[0].descriptors
            }
            if measured
            else None,
        )

    def subset(self, indices: np.ndarray | list[int]) -> Corpus:
        """The kicks at `indices`, in that order (cached descriptors carried along)."""
        idx = np.asarray(indices, dtype=int)
        return Corpus(
            audio=self.audio[idx],
            keywords=[list(self.keywords[i]) for i in idx],
            names=[self.names[i] for i in idx],
            params={key: np.asarray(values)[idx] for key, values in self.params.items()},
            descriptors=None
            if self.descriptors is None
            else {key: values[idx] for key, values in self.descriptors.items()},
        )
