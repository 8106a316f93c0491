"""Deterministic samplers sharing one contract (the diffusers scheduler interface):

    scheduler.set_timesteps(n[, strength]); for t in scheduler.timesteps:
        x, x0 = scheduler.step(model_output, t, x)

``step`` before ``set_timesteps`` raises. Timesteps use "trailing" spacing (Lin et al. 2024,
"Common diffusion noise schedules and sample steps are flawed", table 2): the first step starts
at the last training timestep, so few-step sampling starts from (almost) pure noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gpu.diffusion.schedule import NoiseSchedule


@dataclass
class StepOutput:
    prev_sample: torch.Tensor
    pred_original_sample: torch.Tensor


class Scheduler:
    """Base: timestep grid and bookkeeping; subclasses implement ``_update``."""

    order = 1

    def __init__(self, schedule: NoiseSchedule):
        self.schedule = schedule
        self.timesteps: torch.Tensor | None = None
        self._index = 0

    def set_timesteps(self, num_steps: int, strength: float = 1.0) -> None:
        """Grid of ``num_steps`` trailing timesteps; keep the last round(num_steps * strength)
        of them (strength < 1 starts from a partly noised sample, as in SDEdit, Meng et al.
        2022)."""
        if num_steps < 1:
            raise ValueError(f"num_steps must be at least 1, got {num_steps}.")
        if not 0.0 < strength <= 1.0:
            raise ValueError(f"strength must be in (0, 1], got {strength}.")
        n_train = self.schedule.num_train_timesteps
        if num_steps > n_train:
            raise ValueError(f"num_steps ({num_steps}) exceeds the {n_train} training timesteps.")
        grid = np.round(np.arange(n_train, 0, -n_train / num_steps)).astype(np.int64) - 1
        keep = max(1, round(num_steps * strength))
        self.timesteps = torch.from_numpy(grid[num_steps - keep :].copy())
        self._index = 0
        self._reset()

    def _reset(self) -> None:
        pass

    def previous_timestep(self, index: int) -> int:
        assert self.timesteps is not None
        return int(self.timesteps[index + 1]) if index + 1 < len(self.timesteps) else -1

    def step(
        self, model_output: torch.Tensor, t: int | torch.Tensor, x: torch.Tensor
    ) -> StepOutput:
        if self.timesteps is None:
            raise RuntimeError(f"{type(self).__name__}.step() called before set_timesteps().")
        if self._index >= len(self.timesteps) or int(t) != int(self.timesteps[self._index]):
            raise RuntimeError(
                f"{type(self).__name__}.step() got timestep {int(t)} but expected the next "
                f"timestep of the grid {self.timesteps.tolist()} (step {self._index})."
            )
        t_now = torch.full((x.shape[0],), int(t), dtype=torch.int64)
        x0, eps = self.schedule.to_x0_eps(model_output, x, t_now)
        prev = self._update(x, x0, eps, int(t), self.previous_timestep(self._index))
        self._index += 1
        return StepOutput(prev, x0)

    def _alpha_sigma(self, t: int) -> tuple[float, float]:
        """(alpha_t, sigma_t) as float64; t = -1 is the clean end (1, 0)."""
        if t < 0:
            return 1.0, 0.0
        abar = float(self.schedule.alphas_cumprod[t].double())
        return float(np.sqrt(abar)), float(np.sqrt(1.0 - abar))

    def _update(self, x, x0, eps, t: int, t_prev: int) -> torch.Tensor:
        raise NotImplementedError


class DDIMScheduler(Scheduler):
    """DDIM with eta = 0 (Song et al. 2021, eq. 12): x_prev = alpha_prev x0 + sigma_prev eps."""

    def _update(self, x, x0, eps, t, t_prev):
        alpha_prev, sigma_prev = self._alpha_sigma(t_prev)
        return alpha_prev * x0 + sigma_prev * eps


class DPMSolverPlusPlus2M(Scheduler):
    """DPM-Solver++(2M) (Lu et al. 2022, arXiv:2211.01095, algorithm 2), data prediction.

    With lambda = log(alpha / sigma) and h = lambda_prev - lambda_t:
        x_prev = (sigma_prev / sigma_t) x_t - alpha_prev (exp(-h) - 1) D
    D = x0 on the first step and the last one (lower-order final, stable at few steps), else
    D = (1 + 1/(2r)) x0 - 1/(2r) x0_last with r = h_last / h.
    """

    order = 2

    def _reset(self) -> None:
        self._last_x0: torch.Tensor | None = None
        self._last_lambda: float | None = None

    def _update(self, x, x0, eps, t, t_prev):
        alpha_t, sigma_t = self._alpha_sigma(t)
        alpha_prev, sigma_prev = self._alpha_sigma(t_prev)
        lam_t = np.log(alpha_t) - np.log(sigma_t)
        if sigma_prev == 0.0:
            prev = alpha_prev * x0
        else:
            lam_prev = np.log(alpha_prev) - np.log(sigma_prev)
            h = lam_prev - lam_t
            d = x0
            if self._last_x0 is not None and self._last_lambda is not None:
                r = (lam_t - self._last_lambda) / h
                d = (1.0 + 0.5 / r) * x0 - (0.5 / r) * self._last_x0
            prev = (sigma_prev / sigma_t) * x - alpha_prev * np.expm1(-h) * d
        self._last_x0, self._last_lambda = x0, lam_t
        return prev


SCHEDULERS = {"ddim": DDIMScheduler, "dpm++2m": DPMSolverPlusPlus2M}


def make_scheduler(name: str, schedule: NoiseSchedule) -> Scheduler:
    try:
        return SCHEDULERS[name](schedule)
    except KeyError:
        raise ValueError(f"Unknown sampler {name!r}; choose one of {sorted(SCHEDULERS)}.") from None
