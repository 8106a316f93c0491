"""The pipeline's weights folder on disk: what ``KickPipeline.from_pretrained`` reads.

config.json (spectral and schedule settings, sampler, latent statistics, descriptor ranges, the
training record), vocabulary.json, one .json + .safetensors per network (gpu.weights_io.checkpoint)
and the descriptor prior (prior.safetensors). Training writes it (gpu.train.export); tests write
tiny ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from gpu.audio.spectral import SpectralConfig
from gpu.diffusion.prior import DescriptorPrior
from gpu.diffusion.schedule import ScheduleConfig
from gpu.networks.conditioning import ConditionEncoder
from gpu.networks.roles import Autoencoder, Denoiser, Vocoder
from gpu.weights_io.checkpoint import save_network

NETWORK_FILES = {"vae": "vae", "unet": "unet", "vocoder": "vocoder", "conditioning": "conditioning"}


def write_weights(
    out: Path | str,
    vae: Autoencoder,
    unet: Denoiser,
    vocoder: Vocoder,
    conditioning: ConditionEncoder,
    vocabulary: list[str],
    latent_mean: list[float],
    latent_std: list[float],
    descriptor_ranges: dict[str, list[float]],
    train: dict,
    spectral: SpectralConfig | None = None,
    schedule: ScheduleConfig | None = None,
    sampler: str = "dpm++2m",
    default_steps: int = 20,
    provenance: dict | None = None,
    prior: DescriptorPrior | None = None,
    keyword_guidance_from: int | None = None,
) -> Path:
    """``keyword_guidance_from``: the training timestep from which down the keywords are
    guided too (KickPipeline._early_guidance); None guides them at every step."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if prior is not None:
        prior.save(out)
    for role, network in (
        ("vae", vae),
        ("unet", unet),
        ("vocoder", vocoder),
        ("conditioning", conditioning),
    ):
        save_network(network, out, NETWORK_FILES[role])
    config = {
        "format": "kickwithreverb-pipeline/1",
        "networks": NETWORK_FILES,
        "spectral": (spectral or SpectralConfig()).to_dict(),
        "schedule": (schedule or ScheduleConfig()).to_dict(),
        "sampler": sampler,
        "default_steps": default_steps,
        **(
            {}
            if keyword_guidance_from is None
            else {"keyword_guidance_from": keyword_guidance_from}
        ),
        "latent_mean": [float(v) for v in latent_mean],
        "latent_std": [float(v) for v in latent_std],
        "descriptor_ranges": descriptor_ranges,
        "train": train,
        "provenance": provenance or {},
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "vocabulary.json").write_text(json.dumps(vocabulary) + "\n")
    return out
