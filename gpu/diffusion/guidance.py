"""Classifier-free guided sampling: one function of (denoiser, noise, scheduler, condition
embeddings, guidance scale, progress callback), no hidden state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from gpu.diffusion.solvers import Scheduler
from gpu.networks.roles import Denoiser

Progress = Callable[[int, int], None]


def guided_output(
    denoiser: Denoiser,
    x: torch.Tensor,
    t: torch.Tensor,
    cond: torch.Tensor,
    uncond: torch.Tensor,
    cfg_scale: float | torch.Tensor,
) -> torch.Tensor:
    """out_u + s (out_c - out_u) (Ho & Salimans 2022, eq. 6), both passes in one batch.

    x (B, C, L), t (B,), cond / uncond (B, E); cfg_scale one scale or one per row (B,), so a
    batch can mix guided kicks with unguided ones. Rows at s == 1 skip the unconditional pass
    (out_c exactly, as they would alone); the others run it in the same forward pass.
    """
    scales = torch.as_tensor(cfg_scale, dtype=x.dtype, device=x.device).expand(x.shape[0])
    guided = (scales != 1.0).nonzero().flatten()  # rows that need the unconditional pass
    if guided.numel() == 0:
        return denoiser(x, t, cond)
    both = denoiser(
        torch.cat([x, x[guided]]), torch.cat([t, t[guided]]), torch.cat([cond, uncond[guided]])
    )  # (B + G, C, L)
    out_c, out_u = both[: x.shape[0]], both[x.shape[0] :]
    out = out_c.clone()
    out[guided] = out_u + scales[guided, None, None] * (out_c[guided] - out_u)
    return out


@dataclass
class EarlyGuidance:
    """Guidance for the noisiest timesteps (t ≥ ``from_timestep``): its own negative (B, E)
    and scale (one, or one per row). Lets a condition's parts be guided over different noise
    intervals (Kynkäänniemi et al. 2024, "Applying guidance in a limited interval")."""

    negative: torch.Tensor
    cfg_scale: float | torch.Tensor
    from_timestep: int


@torch.inference_mode()
def sample(
    denoiser: Denoiser,
    x: torch.Tensor,
    scheduler: Scheduler,
    cond: torch.Tensor,
    uncond: torch.Tensor,
    cfg_scale: float | torch.Tensor,
    progress: Progress | None = None,
    early: EarlyGuidance | None = None,
) -> torch.Tensor:
    """Run every timestep set on the scheduler from x (noise, or a noised latent for
    variations) and return the final clean latent (B, C, L). ``early`` replaces the negative
    and scale at the noisiest timesteps."""
    if scheduler.timesteps is None:
        raise RuntimeError("sample() needs scheduler.set_timesteps() to have been called.")
    total = len(scheduler.timesteps)
    for i, t in enumerate(scheduler.timesteps):
        t_batch = torch.full((x.shape[0],), int(t), dtype=torch.int64, device=x.device)
        if early is not None and int(t) >= early.from_timestep:
            out = guided_output(denoiser, x, t_batch, cond, early.negative, early.cfg_scale)
        else:
            out = guided_output(denoiser, x, t_batch, cond, uncond, cfg_scale)
        x = scheduler.step(out, t, x).prev_sample
        if progress is not None:
            progress(i + 1, total)
    return x
