"""1-D convolutional VAE: log-mel (B, 80, 320) <-> latent (B, 16, 80).

Mel bins are the channel axis and time is the only spatial axis, so one latent column covers
4 spectrogram frames = 23 ms (the reference's 4x8x11 latent: ~180 ms per column). That keeps
the click and the pitch sweep of the first 50 ms in separate latent columns. Trained as a
beta-VAE (Kingma & Welling 2014; Higgins et al. 2017) with a small KL weight so the latent
stays smooth enough for diffusion while reconstructing detail.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from gpu.networks.layers import ChannelLayerNorm, ConvNeXtBlock
from gpu.networks.roles import Autoencoder


@dataclass
class VAEConfig:
    n_channels: int = 99  # spectrogram channels: 80 mel + 19 low-band (gpu.audio.spectral)
    channels: int = 128
    latent_channels: int = 16
    downsample_stages: int = 2
    encoder_blocks: int = 1
    decoder_blocks: int = 2
    expansion: int = 3
    kernel: int = 7
    mel_mean: float = -5.0
    mel_std: float = 4.0

    @property
    def time_downsample(self) -> int:
        return 2**self.downsample_stages


def _blocks(config: VAEConfig, n: int) -> list[nn.Module]:
    return [ConvNeXtBlock(config.channels, config.expansion, config.kernel, 0.1) for _ in range(n)]


class MelVAE(Autoencoder):
    config_class = VAEConfig

    def __init__(self, config: VAEConfig):
        super().__init__(config)
        c = config.channels
        encoder: list[nn.Module] = [nn.Conv1d(config.n_channels, c, config.kernel, padding=3)]
        for _ in range(config.downsample_stages):
            encoder += _blocks(config, config.encoder_blocks)
            encoder.append(nn.Conv1d(c, c, 4, stride=2, padding=1))  # L -> L / 2
        encoder += [*_blocks(config, config.encoder_blocks), ChannelLayerNorm(c)]
        encoder.append(nn.Conv1d(c, 2 * config.latent_channels, 1))
        self.encoder = nn.Sequential(*encoder)

        decoder: list[nn.Module] = [nn.Conv1d(config.latent_channels, c, 3, padding=1)]
        for _ in range(config.downsample_stages):
            decoder += _blocks(config, config.decoder_blocks)
            decoder += [
                nn.Upsample(scale_factor=2.0, mode="nearest"),
                nn.Conv1d(c, c, 3, padding=1),
            ]
        decoder += [*_blocks(config, config.decoder_blocks), ChannelLayerNorm(c)]
        decoder.append(nn.Conv1d(c, config.n_channels, 3, padding=1))
        self.decoder = nn.Sequential(*decoder)

    def encode(self, mel: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = (mel - self.config.mel_mean) / self.config.mel_std  # (B, M, T)
        mean, logvar = self.encoder(x).chunk(2, dim=1)  # each (B, C, T / 4)
        return mean, torch.clamp(logvar, -20.0, 10.0)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z) * self.config.mel_std + self.config.mel_mean  # (B, M, T)

    def forward(self, mel: torch.Tensor, sample: bool = True) -> tuple[torch.Tensor, ...]:
        """Training pass: mel (B, M, T) -> (reconstruction (B, M, T), mean, logvar)."""
        mean, logvar = self.encode(mel)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar) if sample else mean
        return self.decode(z), mean, logvar
