"""Condition = bag of keywords + continuous descriptors, each part independently optional.

Every part (the keyword bag, and each descriptor) has its own learned null embedding. During
training each part is replaced by its null independently (so any subset can be asked for at
inference) and, on top, the whole condition at once (the unconditional model that
classifier-free guidance needs; Ho & Salimans 2022). Descriptors enter through Fourier features
of their standardised value (Tancik et al. 2020), which lets a small MLP resolve semitone steps
of the tail pitch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch import nn

from gpu.networks.roles import Network

DESCRIPTORS = ("tail_pitch", "decay", "punch")


def descriptor_row(tail_pitch_hz: float, decay_ms: float, punch: float) -> list[float]:
    """Raw descriptor values in the units the condition encoder standardises: log2 Hz,
    log10 ms, transient share. NaN marks an absent value."""
    return [
        math.log2(tail_pitch_hz) if tail_pitch_hz and tail_pitch_hz > 0 else math.nan,
        math.log10(decay_ms) if decay_ms and decay_ms > 0 else math.nan,
        float(punch) if punch is not None else math.nan,
    ]


@dataclass
class Condition:
    """keywords (B, V) multi-hot; descriptors (B, D) standardised; present (B, D) bool."""

    keywords: torch.Tensor
    descriptors: torch.Tensor
    present: torch.Tensor

    @classmethod
    def null(cls, batch: int, vocab_size: int, n_descriptors: int = len(DESCRIPTORS)) -> Condition:
        return cls(
            torch.zeros(batch, vocab_size),
            torch.zeros(batch, n_descriptors),
            torch.zeros(batch, n_descriptors, dtype=torch.bool),
        )

    def __len__(self) -> int:
        return self.keywords.shape[0]

    @property
    def asks_nothing(self) -> bool:
        """True when no row asks for a keyword or a descriptor."""
        return not self.keywords.any() and not self.present.any()

    def cat(self, other: Condition) -> Condition:
        return Condition(
            torch.cat([self.keywords, other.keywords]),
            torch.cat([self.descriptors, other.descriptors]),
            torch.cat([self.present, other.present]),
        )

    def repeat(self, n: int) -> Condition:
        return Condition(
            self.keywords.repeat(n, 1), self.descriptors.repeat(n, 1), self.present.repeat(n, 1)
        )

    def to(self, device: torch.device | str) -> Condition:
        return Condition(
            self.keywords.to(device), self.descriptors.to(device), self.present.to(device)
        )


@dataclass
class ConditionConfig:
    vocab_size: int = 16
    n_descriptors: int = len(DESCRIPTORS)
    emb_dim: int = 256
    fourier_features: int = 16
    fourier_scale: float = 4.0
    # Standardisation of the raw descriptor values (log2 Hz, log10 ms, share), set from the corpus.
    descriptor_mean: list[float] = field(default_factory=lambda: [5.6, 2.5, 0.2])
    descriptor_std: list[float] = field(default_factory=lambda: [0.5, 0.3, 0.1])


class ConditionEncoder(Network):
    """Condition -> embedding (B, E)."""

    config_class = ConditionConfig

    def __init__(self, config: ConditionConfig):
        super().__init__(config)
        e = config.emb_dim
        self.keyword_table = nn.Parameter(torch.randn(config.vocab_size, e) * 0.02)
        self.null_keywords = nn.Parameter(torch.zeros(e))
        self.null_descriptors = nn.Parameter(torch.zeros(config.n_descriptors, e))
        frequencies = torch.exp(
            torch.linspace(0.0, math.log(config.fourier_scale * 16), config.fourier_features)
        )
        self.register_buffer("frequencies", frequencies / 16, persistent=False)
        self.descriptor_mlps = nn.ModuleList(
            nn.Sequential(nn.Linear(2 * config.fourier_features + 1, e), nn.SiLU(), nn.Linear(e, e))
            for _ in range(config.n_descriptors)
        )
        self.mix = nn.Sequential(nn.SiLU(), nn.Linear(e, e))

    def standardise(self, raw: torch.Tensor) -> torch.Tensor:
        """Raw descriptor values (B, D) -> standardised (B, D)."""
        mean = torch.tensor(self.config.descriptor_mean, device=raw.device)
        std = torch.tensor(self.config.descriptor_std, device=raw.device)
        return (raw - mean) / std

    def forward(self, cond: Condition) -> torch.Tensor:
        count = cond.keywords.sum(dim=1, keepdim=True)  # (B, 1)
        bag = cond.keywords @ self.keyword_table / count.clamp(min=1.0)  # (B, E)
        total = torch.where(count > 0, bag, self.null_keywords)
        angles = cond.descriptors[:, :, None] * self.frequencies * (2 * math.pi)  # (B, D, F)
        features = torch.cat([cond.descriptors[:, :, None], angles.sin(), angles.cos()], dim=2)
        for i, mlp in enumerate(self.descriptor_mlps):
            part = mlp(features[:, i])  # (B, E)
            total = total + torch.where(cond.present[:, i : i + 1], part, self.null_descriptors[i])
        return self.mix(total)
