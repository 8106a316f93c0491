"""Noise schedules as pure functions of the step count (float64 maths, float32 storage) and the
conversions between a network's output and the clean sample / noise.

Forward process (Ho et al. 2020): x_t = alpha_t * x_0 + sigma_t * eps with alpha_t^2 = abar_t,
sigma_t^2 = 1 - abar_t. The network predicts v = alpha_t * eps - sigma_t * x_0 (Salimans & Ho
2022, "Progressive distillation", sec. 4), which stays well scaled at both ends of the schedule
and so suits few-step samplers.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch

PREDICTION_TYPES = ("v_prediction", "epsilon")


@dataclass(frozen=True)
class ScheduleConfig:
    num_train_timesteps: int = 1000
    kind: str = "cosine"
    prediction_type: str = "v_prediction"
    beta_start: float = 1e-4
    beta_end: float = 0.02

    def to_dict(self) -> dict:
        return asdict(self)


def cosine_alphas_cumprod(n: int, s: float = 0.008, max_beta: float = 0.999) -> np.ndarray:
    """abar_t for t = 0..n-1 from f(t) = cos^2(((t/n + s) / (1 + s)) * pi/2) (Nichol & Dhariwal
    2021, eq. 17), with betas clipped at max_beta so the last step stays invertible. float64."""

    def f(t: np.ndarray) -> np.ndarray:
        return np.cos((t / n + s) / (1 + s) * math.pi / 2) ** 2

    steps = np.arange(n + 1, dtype=np.float64)
    betas = np.clip(1.0 - f(steps[1:]) / f(steps[:-1]), 0.0, max_beta)
    return np.cumprod(1.0 - betas)


def linear_alphas_cumprod(n: int, beta_start: float, beta_end: float) -> np.ndarray:
    """abar_t for DDPM's linear betas (Ho et al. 2020, sec. 4). float64."""
    return np.cumprod(1.0 - np.linspace(beta_start, beta_end, n, dtype=np.float64))


def broadcast(values: torch.Tensor, t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Gather values[t] for (B,) timesteps and shape it (B, 1, ...) to broadcast against like."""
    out = values.to(like.device)[t.to(like.device).long()]
    return out.reshape(-1, *([1] * (like.ndim - 1)))


class NoiseSchedule:
    def __init__(self, config: ScheduleConfig | None = None):
        self.config = config or ScheduleConfig()
        if self.config.prediction_type not in PREDICTION_TYPES:
            raise ValueError(
                f"prediction_type must be one of {PREDICTION_TYPES}, "
                f"got {self.config.prediction_type!r}."
            )
        n = self.config.num_train_timesteps
        if self.config.kind == "cosine":
            abar = cosine_alphas_cumprod(n)
        elif self.config.kind == "linear":
            abar = linear_alphas_cumprod(n, self.config.beta_start, self.config.beta_end)
        else:
            raise ValueError(f"Unknown schedule kind {self.config.kind!r}: use cosine or linear.")
        self.alphas_cumprod = torch.from_numpy(abar).to(torch.float32)  # (n,)
        self.alphas = torch.from_numpy(np.sqrt(abar)).to(torch.float32)
        self.sigmas = torch.from_numpy(np.sqrt(1.0 - abar)).to(torch.float32)

    @property
    def num_train_timesteps(self) -> int:
        return self.config.num_train_timesteps

    def alpha_sigma(self, t: torch.Tensor, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return broadcast(self.alphas, t, like), broadcast(self.sigmas, t, like)

    def add_noise(self, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        alpha, sigma = self.alpha_sigma(t, x0)
        return alpha * x0 + sigma * noise

    def target(self, x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """What the network is trained to output at (x_t, t)."""
        if self.config.prediction_type == "epsilon":
            return noise
        alpha, sigma = self.alpha_sigma(t, x0)
        return alpha * noise - sigma * x0

    def to_x0_eps(
        self, output: torch.Tensor, x_t: torch.Tensor, t: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Network output at (x_t, t) -> (predicted x_0, predicted eps)."""
        alpha, sigma = self.alpha_sigma(t, x_t)
        if self.config.prediction_type == "epsilon":
            return (x_t - sigma * output) / alpha, output
        # v-parameterisation: x0 = alpha x_t - sigma v, eps = sigma x_t + alpha v.
        return alpha * x_t - sigma * output, sigma * x_t + alpha * output
