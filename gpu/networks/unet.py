"""1-D latent U-Net (Ronneberger et al. 2015, in the DDPM form of Ho et al. 2020) over the
latent's time axis: (B, 16, 80) -> 40 -> 20 frames, self-attention at the coarsest level,
every residual block FiLM-modulated by timestep + condition embedding."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from gpu.networks.layers import FiLMResBlock, SelfAttention, timestep_embedding
from gpu.networks.roles import Denoiser


@dataclass
class UNetConfig:
    latent_channels: int = 16
    channels: list[int] = field(default_factory=lambda: [32, 64, 128])
    blocks_per_level: int = 1
    emb_dim: int = 256
    attention_heads: int = 4


class LatentUNet(Denoiser):
    config_class = UNetConfig

    def __init__(self, config: UNetConfig):
        super().__init__(config)
        ch, e = config.channels, config.emb_dim
        self.time_mlp = nn.Sequential(nn.Linear(128, e), nn.SiLU(), nn.Linear(e, e))
        self.conv_in = nn.Conv1d(config.latent_channels, ch[0], 3, padding=1)
        self.down_blocks = nn.ModuleList()
        self.downsamples = nn.ModuleList()
        c_prev = ch[0]
        for i, c in enumerate(ch):
            for _ in range(config.blocks_per_level):
                self.down_blocks.append(FiLMResBlock(c_prev, c, e))
                c_prev = c
            if i < len(ch) - 1:
                self.downsamples.append(nn.Conv1d(c, c, 3, stride=2, padding=1))  # L -> L / 2
        self.mid1 = FiLMResBlock(ch[-1], ch[-1], e)
        self.mid_attention = SelfAttention(ch[-1], config.attention_heads)
        self.mid2 = FiLMResBlock(ch[-1], ch[-1], e)
        self.up_blocks = nn.ModuleList()
        self.upsamples = nn.ModuleList()
        for i in reversed(range(len(ch))):
            for _ in range(config.blocks_per_level):
                self.up_blocks.append(FiLMResBlock(2 * ch[i], ch[i], e))
            if i > 0:
                self.upsamples.append(nn.Conv1d(ch[i], ch[i - 1], 3, padding=1))
        self.norm_out = nn.GroupNorm(8, ch[0])
        self.conv_out = nn.Conv1d(ch[0], config.latent_channels, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, z: torch.Tensor, t: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        emb = nn.functional.silu(self.time_mlp(timestep_embedding(t, 128)) + cond)  # (B, E)
        h = self.conv_in(z)  # (B, C0, L)
        skips = []
        blocks = iter(self.down_blocks)
        for level in range(len(self.config.channels)):
            for _ in range(self.config.blocks_per_level):
                h = next(blocks)(h, emb)
                skips.append(h)
            if level < len(self.downsamples):
                h = self.downsamples[level](h)  # (B, C_level, L / 2^(level+1))
        h = self.mid2(self.mid_attention(self.mid1(h, emb)), emb)
        blocks = iter(self.up_blocks)
        ups = iter(self.upsamples)
        for level in reversed(range(len(self.config.channels))):
            for _ in range(self.config.blocks_per_level):
                h = next(blocks)(torch.cat([h, skips.pop()], dim=1), emb)  # (B, C_level, L_level)
            if level > 0:
                h = next(ups)(nn.functional.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.conv_out(nn.functional.silu(self.norm_out(h)))  # (B, C, L)
