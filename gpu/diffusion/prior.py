"""What to condition on when nothing is asked: the training corpus's own descriptors.

A diffusion model's unconditional mode is its weakest: trained on the null condition a tenth
of the time, it draws kicks from a narrower range than the corpus holds (too few long decays,
too few very low or high notes). Ancestral sampling does better: draw a condition c from the
corpus, p(c), then a kick from the conditional model, p(x | c); together that is p(x), with the
conditional model's accuracy. The draw is a kernel density estimate: a stored training kick's
(tail pitch, decay, punch) plus Gaussian jitter of ``bandwidth`` standard deviations, by
default Scott's rule N^(-1/(D+4)) (0.30 for 5 000 kicks and 3 descriptors; Scott 1992,
"Multivariate Density Estimation"), so free kicks are not asked to repeat any one training
kick's numbers.

Stored with the weights as ``prior.safetensors`` (one tensor, (N, 3) raw descriptors in the
units of ``gpu.networks.conditioning.descriptor_row``; NaN where a kick has none, e.g. no pitch).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

PRIOR_FILE = "prior.safetensors"


class DescriptorPrior:
    def __init__(self, rows: torch.Tensor, bandwidth: float | None = None):
        if rows.ndim != 2 or len(rows) == 0:
            raise ValueError(f"A descriptor prior needs rows (N, D) with N > 0; got {rows.shape}.")
        self.rows = rows.float()
        n, d = rows.shape
        self.bandwidth = float(n ** (-1.0 / (d + 4)) if bandwidth is None else bandwidth)

    @classmethod
    def from_descriptors(
        cls, raw: np.ndarray, max_rows: int = 5000, seed: int = 0
    ) -> DescriptorPrior:
        """From a corpus's raw descriptors (N, D); more than ``max_rows`` are subsampled."""
        raw = np.asarray(raw, dtype=np.float32)
        if len(raw) > max_rows:
            raw = raw[np.sort(np.random.default_rng(seed).choice(len(raw), max_rows, False))]
        return cls(torch.from_numpy(raw))

    def save(self, folder: Path | str) -> None:
        save_file({"descriptors": self.rows.contiguous()}, str(Path(folder) / PRIOR_FILE))

    @classmethod
    def load(cls, folder: Path | str, bandwidth: float | None = None) -> DescriptorPrior:
        return cls(load_file(str(Path(folder) / PRIOR_FILE))["descriptors"], bandwidth)

    def draw(
        self,
        n: int,
        standardise: Callable[[torch.Tensor], torch.Tensor],
        generator: torch.Generator,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """n conditions: (standardised values (n, D), present (n, D) bool). ``standardise``
        maps raw to standardised values (the condition encoder's)."""
        picks = torch.randint(len(self.rows), (n,), generator=generator)
        raw = self.rows[picks]  # (n, D)
        present = torch.isfinite(raw)
        values = standardise(torch.nan_to_num(raw, nan=0.0))
        jitter = torch.randn(values.shape, generator=generator) * self.bandwidth
        return torch.where(present, values + jitter, 0.0), present
