"""Write a pipeline weights folder (what ``KickPipeline.from_pretrained`` loads).

    python -m gpu.export --vae gpu/runs/vae --vocoder gpu/runs/vocoder \
        --diffusion gpu/runs/diffusion --out gpu/weights

Takes each run's last checkpoint (the EMA copies of the U-Net and condition encoder; the VAE
and the vocoder may also come from a weights folder) and writes
config.json, vocabulary.json and one .json + .safetensors per network. The model card
(README.md) is written by hand from the logs, bench and evaluation.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gpu.checkpoint import fingerprint, load_network, save_network
from gpu.conditioning import ConditionEncoder
from gpu.roles import Autoencoder, Denoiser, Vocoder
from gpu.schedule import ScheduleConfig
from gpu.spectral import SpectralConfig
from gpu.train.state import networks_folder, provenance

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
) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
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
        "latent_mean": [float(v) for v in latent_mean],
        "latent_std": [float(v) for v in latent_std],
        "descriptor_ranges": descriptor_ranges,
        "train": train,
        "provenance": provenance or {},
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (out / "vocabulary.json").write_text(json.dumps(vocabulary) + "\n")
    return out


def export_runs(
    vae_run: Path, vocoder_run: Path, diffusion_run: Path, out: Path, default_steps: int = 20
) -> Path:
    diffusion = json.loads((diffusion_run / "checkpoint" / "state.json").read_text())
    extra = diffusion["extra"]
    sources = {"vae": vae_run, "vocoder": vocoder_run, "diffusion": diffusion_run}
    origins = {name: provenance(source, name) for name, source in sources.items()}
    vae = load_network(networks_folder(vae_run), "vae")
    if extra["vae_encoder"] != fingerprint(vae.encoder):
        raise SystemExit(
            f"The diffusion run learned the latents of another VAE encoder than {vae_run}'s: "
            "retrain diffusion on this VAE, or export the VAE it was trained on (a VAE "
            "fine-tuned with --freeze-encoder keeps the encoder)."
        )
    return write_weights(
        out,
        vae=vae,
        unet=load_network(diffusion_run / "checkpoint", "unet_ema"),
        vocoder=load_network(networks_folder(vocoder_run), "vocoder"),
        conditioning=load_network(diffusion_run / "checkpoint", "conditioning_ema"),
        vocabulary=extra["vocabulary"],
        latent_mean=extra["latent_mean"],
        latent_std=extra["latent_std"],
        descriptor_ranges=extra["descriptor_ranges"],
        train=extra["train"],
        schedule=ScheduleConfig(**extra["schedule"]),
        provenance=origins,
        default_steps=default_steps,
    )


def main(argv: list[str] | None = None) -> None:
    runs = Path(__file__).resolve().parent / "runs"
    parser = argparse.ArgumentParser(
        prog="python -m gpu.export", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--vae", type=Path, default=runs / "vae")
    parser.add_argument("--vocoder", type=Path, default=runs / "vocoder")
    parser.add_argument("--diffusion", type=Path, default=runs / "diffusion")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "weights")
    parser.add_argument(
        "--default-steps", type=int, default=20, help="sampler steps when generate() names none"
    )
    args = parser.parse_args(argv)
    out = export_runs(args.vae, args.vocoder, args.diffusion, args.out, args.default_steps)
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(json.dumps({"out": str(out), "bytes": total}))


if __name__ == "__main__":
    main()
