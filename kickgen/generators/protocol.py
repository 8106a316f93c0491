"""What every generator backend takes and gives back: a `GenerationRequest` and a progress
callback in, WAV bytes out (the `Generator` protocol), and the descriptor ranges of a model.

Its own module so the backends, the choice between them, the forms and the jobs share these
types without depending on any one backend.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

ProgressCallback = Callable[[int, int], None]
# Descriptor name (tail_pitch_hz, decay_ms, punch) -> the (low, high) the model was trained on.
DescriptorRanges = dict[str, tuple[float, float]]


def ranges_from_config(config_json: str) -> DescriptorRanges:
    ranges = json.loads(config_json).get("descriptor_ranges", {})
    return {name: (float(low), float(high)) for name, (low, high) in ranges.items()}


DEFAULT_KEYWORDS = "hit house"
VARY_STRENGTH = 0.5


@dataclass(frozen=True)
class GenerationRequest:
    """What the member asked for; `source_wav` is set for "More like this" (vary)."""

    keywords: str
    seed: int
    note: str = ""
    decay_ms: int | None = None
    punch: float | None = None
    source_wav: bytes | None = None
    strength: float = VARY_STRENGTH

    @property
    def is_variation(self) -> bool:
        return self.source_wav is not None

    def model_kwargs(self) -> dict[str, Any]:
        return {
            "prompt": self.keywords,
            "seed": self.seed,
            "note": self.note or None,
            "decay_ms": self.decay_ms,
            "punch": self.punch,
        }


class Generator(Protocol):
    def generate(self, request: GenerationRequest, progress: ProgressCallback) -> bytes: ...

    def vocabulary(self) -> list[str]: ...

    def descriptor_ranges(self) -> DescriptorRanges: ...
