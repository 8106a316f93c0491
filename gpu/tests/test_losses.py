"""The training losses measure what they claim to."""

import math

import numpy as np
import torch

from gpu.train.loops import onset_weight
from gpu.train.losses import attack_stft_loss, cycles_loss

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


def test_onset_weight_covers_the_attack_of_onset_crops_only():
    weight = onset_weight(np.array([0, 5, 0]), crop=16, frames=9, weight=4.0)
    assert weight.shape == (3, 1, 16)
    assert (weight[[0, 2], 0, :9] == 4.0).all() and (weight[[0, 2], 0, 9:] == 1.0).all()
    assert (weight[1] == 1.0).all()  # a crop from inside the kick has no attack


def test_cycles_loss_counts_octaves_on_trusted_hops_only():
    true = torch.tensor([[0.25, 0.5, 1.0]])
    predicted = torch.log2(torch.tensor([[0.5, 0.5, 8.0]]))  # an octave off, right, 3 octaves
    assert cycles_loss(predicted, true, torch.tensor([[1.0, 1.0, 0.0]])).item() == 0.5
    assert cycles_loss(predicted, true, torch.zeros(1, 3)).item() == 0.0
