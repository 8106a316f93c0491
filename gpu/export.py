"""Write a pipeline weights folder (what ``KickPipeline.from_pretrained`` loads).

    python -m gpu.export --vae gpu/runs/vae --vocoder gpu/runs/vocoder \
        --diffusion gpu/runs/diffusion --out gpu/weights

Takes each run's last checkpoint (the EMA copies of the U-Net and condition encoder) and writes
config.json, vocabulary.json and one .json + .safetensors per network. The model card
(README.md) is written by hand from the logs, bench and evaluation.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gpu.checkpoint import load_network, save_network
from gpu.conditioning import ConditionEncoder
from gpu.roles import Autoencoder, Denoiser, Vocoder
from gpu.schedule import ScheduleConfig
from gpu.spectral import SpectralConfig

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
    default_steps: int = 10,
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


def _run_state(run: Path) -> dict:
    return json.loads((run / "checkpoint" / "state.json").read_text())


def export_runs(vae_run: Path, vocoder_run: Path, diffusion_run: Path, out: Path) -> Path:
    diffusion = _run_state(diffusion_run)
    extra = diffusion["extra"]
    provenance = {
        name: {"steps": state["step"], "train_s": state["elapsed_s"]}
        for name, state in (
            ("vae", _run_state(vae_run)),
            ("vocoder", _run_state(vocoder_run)),
            ("diffusion", diffusion),
        )
    }
    if extra["vae_step"] != provenance["vae"]["steps"]:
        raise SystemExit(
            f"The diffusion run encoded its latents with VAE step {extra['vae_step']}, but the "
            f"VAE run is at step {provenance['vae']['steps']}: retrain diffusion or export "
            "the matching VAE."
        )
    return write_weights(
        out,
        vae=load_network(vae_run / "checkpoint", "vae"),
        unet=load_network(diffusion_run / "checkpoint", "unet_ema"),
        vocoder=load_network(vocoder_run / "checkpoint", "vocoder"),
        conditioning=load_network(diffusion_run / "checkpoint", "conditioning_ema"),
        vocabulary=extra["vocabulary"],
        latent_mean=extra["latent_mean"],
        latent_std=extra["latent_std"],
        descriptor_ranges=extra["descriptor_ranges"],
        train=extra["train"],
        schedule=ScheduleConfig(**extra["schedule"]),
        provenance=provenance,
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
    args = parser.parse_args(argv)
    out = export_runs(args.vae, args.vocoder, args.diffusion, args.out)
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(json.dumps({"out": str(out), "bytes": total}))


if __name__ == "__main__":
    main()
