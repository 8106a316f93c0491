"""Building blocks shared by the networks (all 1-D over time: mel bins or latent channels are
the channel axis, which keeps every convolution a cheap CPU matmul)."""

from __future__ import annotations

import math

import torch
from torch import nn


class ChannelLayerNorm(nn.Module):
    """LayerNorm over the channel axis of (B, C, T)."""

    def __init__(self, channels: int):
        super().__init__()
        self.norm = nn.LayerNorm(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(x.transpose(1, 2)).transpose(1, 2)


class ConvNeXtBlock(nn.Module):
    """Depthwise conv + pointwise MLP with layer scale (Liu et al. 2022, "A ConvNet for the
    2020s"; 1-D form as in Vocos, Siuzdak 2023). (B, C, T) -> (B, C, T)."""

    def __init__(self, channels: int, expansion: int, kernel: int, layer_scale: float):
        super().__init__()
        self.depthwise = nn.Conv1d(channels, channels, kernel, padding=kernel // 2, groups=channels)
        self.norm = nn.LayerNorm(channels)
        self.expand = nn.Linear(channels, channels * expansion)
        self.project = nn.Linear(channels * expansion, channels)
        self.gamma = nn.Parameter(torch.full((channels,), layer_scale))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.depthwise(x).transpose(1, 2)  # (B, T, C)
        h = self.project(nn.functional.gelu(self.expand(self.norm(h))))
        return x + (self.gamma * h).transpose(1, 2)  # (B, C, T)


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10_000.0) -> torch.Tensor:
    """Sinusoidal embedding of (B,) timesteps -> (B, dim) (Vaswani et al. 2017, sec. 3.5)."""
    half = dim // 2
    freqs = torch.exp(
        -math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half
    )
    angles = t.float()[:, None] * freqs[None, :]  # (B, half)
    return torch.cat([torch.cos(angles), torch.sin(angles)], dim=1)


class FiLMResBlock(nn.Module):
    """GroupNorm-SiLU-conv residual block whose second norm is modulated by the embedding
    (FiLM, Perez et al. 2018; the "scale-shift" form of Dhariwal & Nichol 2021).
    x (B, C_in, L), emb (B, E) -> (B, C_out, L)."""

    def __init__(self, c_in: int, c_out: int, emb_dim: int, groups: int = 8):
        super().__init__()
        self.norm1 = nn.GroupNorm(min(groups, c_in), c_in)
        self.conv1 = nn.Conv1d(c_in, c_out, 3, padding=1)
        self.film = nn.Linear(emb_dim, 2 * c_out)
        self.norm2 = nn.GroupNorm(min(groups, c_out), c_out)
        self.conv2 = nn.Conv1d(c_out, c_out, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)
        self.skip = nn.Conv1d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(nn.functional.silu(self.norm1(x)))
        scale, shift = self.film(emb)[:, :, None].chunk(2, dim=1)  # each (B, C_out, 1)
        h = self.norm2(h) * (1.0 + scale) + shift
        h = self.conv2(nn.functional.silu(h))
        return self.skip(x) + h


class SelfAttention(nn.Module):
    """Multi-head self-attention over time with a residual. (B, C, L) -> (B, C, L)."""

    def __init__(self, channels: int, heads: int, groups: int = 8):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(min(groups, channels), channels)
        self.qkv = nn.Conv1d(channels, 3 * channels, 1)
        self.out = nn.Conv1d(channels, channels, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, length = x.shape
        qkv = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, length)
        q, k, v = (qkv[:, i].transpose(-1, -2) for i in range(3))  # each (B, H, L, C/H)
        h = nn.functional.scaled_dot_product_attention(q, k, v)  # (B, H, L, C/H)
        h = h.transpose(-1, -2).reshape(b, c, length)  # (B, C, L)
        return x + self.out(h)
