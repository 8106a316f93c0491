"""A tiny, randomly initialised weights folder in the real format, for fast tests of code that
loads a KickPipeline (gpu's own tests, kickgen's). It generates noise-like kicks that still
meet the output format: 88200 float32 samples, peak 1, silent tail."""

from __future__ import annotations

from pathlib import Path

import torch

from gpu.audio.spectral import SpectralConfig
from gpu.diffusion.prior import DescriptorPrior
from gpu.networks.conditioning import ConditionConfig, ConditionEncoder
from gpu.networks.unet import LatentUNet, UNetConfig
from gpu.networks.vae import MelVAE, VAEConfig
from gpu.networks.vocoder import ISTFTVocoder, VocoderConfig
from gpu.weights_io.folder import write_weights

TINY_VOCABULARY = ["boomy", "deep", "hit", "house", "punchy", "short"]


def write_tiny_weights(
    folder: Path | str,
    seed: int = 0,
    default_steps: int = 4,
    keyword_guidance_from: int | None = None,
) -> Path:
    torch.manual_seed(seed)
    spectral = SpectralConfig()
    latent = 4
    vae = MelVAE(VAEConfig(channels=16, latent_channels=latent, encoder_blocks=1, decoder_blocks=1))
    unet = LatentUNet(
        UNetConfig(latent_channels=latent, channels=[8, 16], emb_dim=32, attention_heads=2)
    )
    vocoder = ISTFTVocoder(VocoderConfig(dim=16, blocks=1))
    conditioning = ConditionEncoder(ConditionConfig(vocab_size=len(TINY_VOCABULARY), emb_dim=32))
    # A corpus-like prior: log2 tail pitch 30–110 Hz, log10 decay 100–1500 ms, punch 0–0.5,
    # and one unpitched kick.
    rows = torch.rand(64, 3) * torch.tensor([1.87, 1.18, 0.5]) + torch.tensor([4.91, 2.0, 0.0])
    rows[0, 0] = float("nan")
    # Zero-initialised layers (residual branches, output conv) would make the untrained U-Net
    # ignore its condition; give them a random response so tests can tell conditions apart.
    with torch.no_grad():
        for parameter in unet.parameters():
            if parameter.ndim > 1 and not parameter.any():
                parameter.normal_(std=0.1)
    return write_weights(
        folder,
        vae=vae,
        unet=unet,
        vocoder=vocoder,
        conditioning=conditioning,
        vocabulary=TINY_VOCABULARY,
        latent_mean=[0.0] * latent,
        latent_std=[1.0] * latent,
        descriptor_ranges={
            "tail_pitch_hz": [30.0, 110.0],
            "decay_ms": [100.0, 1500.0],
            "punch": [0.0, 0.5],
        },
        train={"synthetic": 0, "seed": 0, "note": "untrained test weights"},
        spectral=spectral,
        default_steps=default_steps,
        prior=DescriptorPrior(rows),
        keyword_guidance_from=keyword_guidance_from,
    )
