"""One small base class per role; the docstrings fix the tensor shapes every implementation keeps.

A better vocoder or autoencoder slots in by subclassing its role and keeping these shapes.
B = batch, M = spectrogram channels (mel + low band), T = spectrogram frames,
C = latent channels, L = latent frames, E = condition embedding width, N = audio samples.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, ClassVar

import torch
from torch import nn


class Network(nn.Module):
    """A module built from one config dataclass, which is saved as JSON beside its weights."""

    config_class: ClassVar[type]

    def __init__(self, config: Any):
        super().__init__()
        self.config = config

    @classmethod
    def from_config(cls, values: dict) -> Network:
        return cls(cls.config_class(**values))

    def config_dict(self) -> dict:
        return asdict(self.config)

    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


class Autoencoder(Network):
    """log-mel (B, M, T) <-> latent (B, C, L) with L = T / time_downsample."""

    def encode(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log-mel (B, M, T) -> posterior (mean, logvar), each (B, C, L)."""
        raise NotImplementedError

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """latent (B, C, L) -> log-mel (B, M, T)."""
        raise NotImplementedError


class Denoiser(Network):
    """Noisy latent (B, C, L), timestep (B,) int64, condition embedding (B, E) -> (B, C, L).

    The output is what the noise schedule's ``prediction_type`` names (v or epsilon).
    """

    def forward(self, z: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


class Vocoder(Network):
    """log-mel (B, M, T) -> waveform (B, (T - 1) * hop)."""

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError
