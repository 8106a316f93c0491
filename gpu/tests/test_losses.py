"""The training losses measure what they claim to."""

import math

import torch

from gpu.train.losses import attack_stft_loss, band_energy_loss

SR = 44_100


def kick(start_hz: float = 400.0, end_hz: float = 50.0, sweep_s: float = 0.01) -> torch.Tensor:
    t = torch.arange(8192, dtype=torch.float64) / SR
    cycles = end_hz * t + (start_hz - end_hz) * sweep_s * (1 - torch.exp(-t / sweep_s))
    return (torch.sin(2 * math.pi * cycles) * torch.exp(-t / 0.1))[None].float()


def test_attack_loss_is_zero_for_the_target_and_blind_after_the_attack():
    target = kick()
    assert attack_stft_loss(target, target, SR).item() < 1e-4
    later = target.clone()
    later[:, round(0.06 * SR) :] *= 0.1  # differs only after the first 50 ms
    assert attack_stft_loss(later, target, SR).item() < 1e-4


def test_attack_loss_sees_the_sweep_and_the_click_timing():
    target = kick()
    slower = kick(sweep_s=0.03)
    assert attack_stft_loss(slower, target, SR).item() > 0.3
    late = torch.roll(target, round(0.004 * SR), dims=1)  # the onset 4 ms late
    late[:, : round(0.004 * SR)] = 0.0
    assert attack_stft_loss(late, target, SR).item() > 0.3


def tone(hz: float, level: float = 1.0) -> torch.Tensor:
    t = torch.arange(16384, dtype=torch.float64) / SR
    return (level * torch.sin(2 * math.pi * hz * t))[None].float()


def test_band_energy_loss_asks_for_overtone_energy_not_its_exact_bin():
    target = tone(55.0) + tone(1000.0, 0.1)  # an overtone 20 dB down
    assert band_energy_loss(target, target).item() < 1e-4
    missing = band_energy_loss(tone(55.0), target).item()
    shifted = band_energy_loss(tone(55.0) + tone(1030.0, 0.1), target).item()
    assert missing > 0.5  # the overtone's band is empty
    assert shifted < 0.4 * missing  # same energy in the same band: mostly right
