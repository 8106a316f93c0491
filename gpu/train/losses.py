"""Training losses."""

from __future__ import annotations

import torch


def stft_magnitude(x: torch.Tensor, n_fft: int, hop: int) -> torch.Tensor:
    window = torch.hann_window(n_fft, device=x.device)
    spec = torch.stft(x, n_fft, hop, window=window, center=True, return_complex=True)
    return torch.sqrt(spec.real**2 + spec.imag**2 + 1e-9)  # (B, F, T)


def multi_resolution_stft_loss(
    prediction: torch.Tensor,
    target: torch.Tensor,
    resolutions: tuple[tuple[int, int], ...] = ((256, 64), (1024, 256), (2048, 512)),
) -> torch.Tensor:
    """Spectral convergence + log-magnitude L1 averaged over STFT resolutions (Yamamoto et al.
    2020, "Parallel WaveGAN", sec. 2.3). The 256-point resolution (5.8 ms) holds the click, the
    2048-point one the body. prediction, target: (B, N)."""
    total = prediction.new_zeros(())
    for n_fft, hop in resolutions:
        p = stft_magnitude(prediction, n_fft, hop)
        t = stft_magnitude(target, n_fft, hop)
        convergence = torch.linalg.norm(t - p) / torch.linalg.norm(t).clamp(min=1e-6)
        total = total + convergence + torch.mean(torch.abs(torch.log(t) - torch.log(p)))
    return total / len(resolutions)


def attack_stft_loss(
    prediction: torch.Tensor,
    target: torch.Tensor,
    sample_rate: int,
    duration_s: float = 0.05,
    resolutions: tuple[tuple[int, int], ...] = ((64, 16), (128, 32), (256, 64), (512, 128)),
) -> torch.Tensor:
    """Multi-resolution STFT loss over the first ``duration_s`` only, at short windows
    (1.5–12 ms). Over a whole crop the attack is a few frames among hundreds; here it is all
    there is, so the sweep's course, the click's timing and the attack's brightness count as
    much as the tail does elsewhere. prediction, target: (B, N) starting at the onset."""
    n = min(round(duration_s * sample_rate), prediction.shape[-1])
    return multi_resolution_stft_loss(prediction[:, :n], target[:, :n], resolutions)


def gaussian_kl(mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, exp(logvar)) || N(0, 1)), mean over elements."""
    return 0.5 * torch.mean(mean**2 + torch.exp(logvar) - 1.0 - logvar)


def low_band_loss(
    prediction: torch.Tensor,
    target: torch.Tensor,
    n_fft: int = 4096,
    hop: int = 256,
    bins: int = 22,
) -> torch.Tensor:
    """L1 between linear magnitudes of a 4096-point STFT below ~230 Hz, relative to the
    target's level. Log-magnitude losses barely notice a fundamental a few Hz off; linear
    magnitude at 10.8 Hz resolution is dominated by it, so this term pins the kick's note."""
    p = stft_magnitude(prediction, n_fft, hop)[:, :bins]
    t = stft_magnitude(target, n_fft, hop)[:, :bins]
    return torch.mean(torch.abs(p - t)) / torch.mean(t).clamp(min=1e-4)


def cycles_loss(
    log_cycles: torch.Tensor, cycles: torch.Tensor, weight: torch.Tensor
) -> torch.Tensor:
    """Mean |log2 predicted − log2 true| cycles per hop over trusted hops: an error of 1 is
    an octave, whatever the note. log_cycles, cycles, weight: (B, hops)."""
    error = torch.abs(log_cycles - torch.log2(cycles.clamp(min=1e-4)))
    return (error * weight).sum() / weight.sum().clamp(min=1.0)
