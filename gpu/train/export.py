"""The last step of training: a weights folder (gpu.weights_io.folder) from three runs.

    python -m gpu.train.export --vae gpu/runs/vae --vocoder gpu/runs/vocoder \
        --diffusion gpu/runs/diffusion --out gpu/weights

Takes each run's last checkpoint (the EMA copies of the U-Net and condition encoder) or a
weights folder's networks, so one network can be swapped into shipped weights, and writes
them with prior.safetensors: the training corpus's descriptors (gpu.diffusion.prior), read from
its cache (--cache, built if missing) as recorded in the diffusion run. The model card
(README.md) is written by hand from the logs, bench and evaluation.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gpu.audio.spectral import SpectralConfig
from gpu.diffusion.prior import DescriptorPrior
from gpu.diffusion.schedule import ScheduleConfig
from gpu.train.data import build_or_load
from gpu.train.state import networks_folder, provenance
from gpu.weights_io.checkpoint import fingerprint, load_network
from gpu.weights_io.folder import write_weights

RUNS = Path(__file__).resolve().parents[1] / "runs"


def diffusion_source(source: Path) -> tuple[Path, str, dict]:
    """(networks folder, U-Net/condition-encoder name suffix, run extras) of a diffusion run
    or of a weights folder; a weights folder's extras are rebuilt from its config."""
    state_file = source / "checkpoint" / "state.json"
    if state_file.is_file():
        return source / "checkpoint", "_ema", json.loads(state_file.read_text())["extra"]
    config = json.loads((source / "config.json").read_text())
    extra = {
        key: config[key]
        for key in ("latent_mean", "latent_std", "descriptor_ranges", "train", "schedule")
    }
    extra["vocabulary"] = json.loads((source / "vocabulary.json").read_text())
    extra["vae_encoder"] = fingerprint(load_network(source, "vae").encoder)
    return source, "", extra


def corpus_prior(train: dict, cache: Path) -> DescriptorPrior:
    """The descriptor prior of the corpus a diffusion run recorded as its ``train`` source."""
    data = build_or_load(
        cache, train.get("synthetic"), train.get("folder"), SpectralConfig(), train.get("copies", 1)
    )
    # Free generation should sound like the real kicks a corpus holds, not like the
    # synthesizer that pads it out: with real rows, the prior is theirs alone.
    rows = data.real if data.real.any() else slice(None)
    return DescriptorPrior.from_descriptors(data.descriptors[rows])


def export_runs(
    vae_run: Path,
    vocoder_run: Path,
    diffusion_run: Path,
    out: Path,
    default_steps: int = 20,
    cache: Path | None = None,
    correction_ms: float | None = None,
    keyword_guidance_from: int | None = None,
) -> Path:
    """Write the weights folder from three runs; ``correction_ms`` (if given) sets the
    vocoder's config value of that name (a rendering choice: no weight changes)."""
    folder, suffix, extra = diffusion_source(diffusion_run)
    sources = {"vae": vae_run, "vocoder": vocoder_run, "diffusion": diffusion_run}
    origins = {name: provenance(source, name) for name, source in sources.items()}
    vae = load_network(networks_folder(vae_run), "vae")
    if extra["vae_encoder"] != fingerprint(vae.encoder):
        raise SystemExit(
            f"The diffusion run learned the latents of another VAE encoder than {vae_run}'s: "
            "retrain diffusion on this VAE, or export the VAE it was trained on (a VAE "
            "fine-tuned with --freeze-encoder keeps the encoder)."
        )
    vocoder = load_network(networks_folder(vocoder_run), "vocoder")
    if correction_ms is not None:
        vocoder.config.correction_ms = correction_ms
    return write_weights(
        out,
        vae=vae,
        unet=load_network(folder, f"unet{suffix}"),
        vocoder=vocoder,
        conditioning=load_network(folder, f"conditioning{suffix}"),
        vocabulary=extra["vocabulary"],
        latent_mean=extra["latent_mean"],
        latent_std=extra["latent_std"],
        descriptor_ranges=extra["descriptor_ranges"],
        train=extra["train"],
        schedule=ScheduleConfig(**extra["schedule"]),
        provenance=origins,
        default_steps=default_steps,
        prior=corpus_prior(extra["train"], cache or RUNS / "corpus"),
        keyword_guidance_from=keyword_guidance_from,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gpu.train.export", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--vae", type=Path, default=RUNS / "vae")
    parser.add_argument("--vocoder", type=Path, default=RUNS / "vocoder")
    parser.add_argument("--diffusion", type=Path, default=RUNS / "diffusion")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "weights")
    parser.add_argument(
        "--default-steps", type=int, default=20, help="sampler steps when generate() names none"
    )
    parser.add_argument(
        "--cache", type=Path, default=RUNS / "corpus", help="corpus cache root (the prior)"
    )
    parser.add_argument(
        "--correction-ms",
        type=float,
        help="vocoder: past this time the body plays the low band's f0 (VocoderConfig)",
    )
    parser.add_argument(
        "--keyword-guidance-from",
        type=int,
        help="guide the keywords only at training timesteps below this (0-999); default: all",
    )
    args = parser.parse_args(argv)
    out = export_runs(
        args.vae,
        args.vocoder,
        args.diffusion,
        args.out,
        args.default_steps,
        args.cache,
        args.correction_ms,
        args.keyword_guidance_from,
    )
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(json.dumps({"out": str(out), "bytes": total}))


if __name__ == "__main__":
    main()
