"""python -m gpu.train vae|vocoder|diffusion (--data DIR and/or --synthetic N) [options]

Train the VAE and the vocoder first (neither needs conditioning), the diffusion model last (it
encodes the corpus with the trained VAE: --vae RUN). Then ``python -m gpu.train.export`` writes the
shipped weights folder. Every run resumes from its last checkpoint with --resume.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from gpu.audio.spectral import SpectralConfig
from gpu.train import loops
from gpu.train.data import build_or_load
from gpu.train.state import Run

RUNS = Path(__file__).resolve().parents[1] / "runs"
DEFAULT_BATCH = {"vae": 32, "vocoder": 16, "diffusion": 64}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m gpu.train", description=__doc__.splitlines()[0]
    )
    parser.add_argument("network", choices=["vae", "vocoder", "diffusion"])
    parser.add_argument("--data", help="folder of kick samples (its train split is used)")
    parser.add_argument("--synthetic", type=int, metavar="N", help="N kicks from gpu.corpus.synth")
    parser.add_argument(
        "--copies",
        type=int,
        default=1,
        help="each real kick this many times, all but the first augmented (gpu.corpus.augment)",
    )
    parser.add_argument("--steps", type=int, default=20_000, help="stop after this many steps")
    parser.add_argument("--max-minutes", type=float, default=float("inf"), help="wall-clock budget")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--out", type=Path, help="run folder (default gpu/runs/<network>)")
    parser.add_argument("--cache", type=Path, default=RUNS / "corpus", help="corpus cache root")
    parser.add_argument("--resume", action="store_true", help="continue from the run's checkpoint")
    parser.add_argument("--batch", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--width", type=int, help="VAE channels / vocoder width")
    parser.add_argument("--crop", type=int, help="training crop in spectrogram frames")
    parser.add_argument("--kl-weight", type=float, default=5e-4)
    parser.add_argument("--vae", type=Path, default=RUNS / "vae", help="VAE run (diffusion)")
    parser.add_argument("--on-vae", type=Path, help="vocoder: train on this VAE run's outputs")
    parser.add_argument(
        "--init",
        type=Path,
        help="start from this run's (or weights folder's) networks (fine-tuning)",
    )
    parser.add_argument(
        "--freeze-encoder",
        action="store_true",
        help="vae: train the decoder only, on posterior means, so a diffusion model trained on "
        "its latents stays valid",
    )
    parser.add_argument(
        "--attack-weight",
        type=float,
        default=1.0,
        help="vocoder: weight of the loss on the first 50 ms (short-window STFTs)",
    )
    parser.add_argument(
        "--harmonics",
        type=int,
        default=0,
        help="vocoder: render the body with a sample-rate oscillator of this many harmonics",
    )
    parser.add_argument(
        "--cycles-weight",
        type=float,
        default=1.0,
        help="vocoder: weight of the oscillator's cycles-per-hop loss (octaves)",
    )
    parser.add_argument(
        "--real-cycles-weight",
        type=float,
        default=1.0,
        help="vocoder: that loss's weight on rows from --data (0: taught by synthetic bodies)",
    )
    parser.add_argument(
        "--attack-cycles-weight",
        type=float,
        default=16.0,
        help="vocoder: weight of the first 50 ms of onset crops in the cycles loss",
    )
    parser.add_argument(
        "--attack-frame-weight",
        type=float,
        default=1.0,
        help="vae: weight of the first 50 ms of onset crops in the reconstruction loss",
    )
    parser.add_argument("--channels", default="32,64,128", help="U-Net widths per level")
    parser.add_argument("--emb-dim", type=int, default=256)
    parser.add_argument("--p-drop", type=float, default=0.25, help="drop each condition part")
    parser.add_argument(
        "--keyword-keep", type=float, default=0.5, help="keep each of a kick's words with this p"
    )
    parser.add_argument("--p-uncond", type=float, default=0.1, help="drop the whole condition")
    parser.add_argument("--ema", type=float, default=0.999)
    parser.add_argument("--threads", type=int, help="torch intra-op threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=25)
    parser.add_argument(
        "--save-every", type=float, default=120.0, help="seconds between checkpoints"
    )
    args = parser.parse_args(argv)
    args.batch = args.batch or DEFAULT_BATCH[args.network]
    args.out = args.out or RUNS / args.network
    if args.data is None and args.synthetic is None:
        parser.error("give --data DIR, --synthetic N, or both.")
    if args.copies < 1:
        parser.error(f"--copies must be at least 1; got {args.copies}.")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda asked for, but torch sees no CUDA device.")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    spectral = SpectralConfig()
    data = build_or_load(args.cache, args.synthetic, args.data, spectral, args.copies)
    run = Run(args.out)
    trainer = {
        "vae": loops.train_vae,
        "vocoder": loops.train_vocoder,
        "diffusion": loops.train_diffusion,
    }
    trainer[args.network](args, data, run, spectral)


if __name__ == "__main__":
    main()
