"""What the evaluation needs of a kick generator, and how it reads what comes back."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from gpu.audio.descriptors import describe_batch


class Generator(Protocol):
    """What the evaluation needs of a pipeline (gpu.pipeline.KickPipeline satisfies it)."""

    vocabulary: list[str]

    def generate(self, prompt: str | None = ..., seed: int | None = ..., **kwargs: Any) -> Any: ...


def describe_kicks(audio: np.ndarray) -> dict[str, np.ndarray]:
    """Descriptors of generated kicks; NaN/inf samples are read as silence here because the
    artifact check counts them separately."""
    return describe_batch(np.nan_to_num(audio, nan=0.0, posinf=0.0, neginf=0.0))


def as_batch(audio: Any, n: int) -> np.ndarray:
    x = np.asarray(audio, dtype=np.float32)
    return x.reshape(n, -1) if x.ndim == 1 else x
