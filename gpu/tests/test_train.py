"""The training CLI end to end on a tiny synthetic corpus: three networks, resume, export,
and the exported folder loads in the pipeline."""

import json

import numpy as np
import pytest
import torch

from gpu.corpus.synth import SYNTH_VERSION
from gpu.pipeline import KickPipeline
from gpu.train.__main__ import main as train_main
from gpu.train.export import main as export_main
from gpu.weights_io.checkpoint import fingerprint, load_network

pytestmark = pytest.mark.slow


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_train_resume_export(tmp_path):
    common = [
        "--synthetic",
        "12",
        "--cache",
        str(tmp_path / "corpus"),
        "--log-every",
        "1",
        "--threads",
        "1",
    ]
    vae = tmp_path / "vae"

    def train_vae(steps: int, *options: str) -> None:
        vae_options = ["--out", str(vae), "--width", "16", "--batch", "4", *options]
        train_main(["vae", *common, "--steps", str(steps), *vae_options])

    train_vae(2)
    train_vae(3, "--resume")
    steps = [r["step"] for r in lines(vae / "log.jsonl") if "loss" in r]
    assert steps == [1, 2, 3]  # resumed at step 2, not restarted
    assert (vae / "checkpoint" / "optimizer.safetensors").is_file()
    assert not list(vae.rglob("*.pt")) and not list(vae.rglob("*.pkl"))

    vocoder = tmp_path / "vocoder"
    train_main(
        ["vocoder", *common, "--steps", "2", "--out", str(vocoder), "--width", "16", "--batch", "2"]
    )
    diffusion = tmp_path / "diffusion"
    train_main(
        [
            "diffusion",
            *common,
            "--steps",
            "2",
            "--out",
            str(diffusion),
            "--vae",
            str(vae),
            "--channels",
            "8,16",
            "--emb-dim",
            "32",
            "--batch",
            "4",
        ]
    )
    state = json.loads((diffusion / "checkpoint" / "state.json").read_text())
    assert state["extra"]["train"] == {"synthetic": 12, "seed": 0, "synth": SYNTH_VERSION}
    assert len(state["extra"]["latent_mean"]) == 16

    out = tmp_path / "weights"
    export_main(
        [
            "--vae",
            str(vae),
            "--vocoder",
            str(vocoder),
            "--diffusion",
            str(diffusion),
            "--out",
            str(out),
            "--cache",
            str(tmp_path / "corpus"),
            "--correction-ms",
            "100",
        ]
    )
    config = json.loads((out / "config.json").read_text())
    assert config["train"] == {"synthetic": 12, "seed": 0, "synth": SYNTH_VERSION}
    vocoder_config = json.loads((out / "vocoder.json").read_text())["config"]
    assert vocoder_config["correction_ms"] == 100.0
    assert config["provenance"]["vae"]["steps"] == 3
    pipe = KickPipeline.from_pretrained(out)
    audio = pipe.generate(pipe.vocabulary[0], seed=0, steps=2)
    assert audio.shape == (88_200,) and np.isfinite(audio).all()
    # Free generation draws from the training corpus's descriptors, exported with the weights.
    assert pipe.prior is not None and pipe.prior.rows.shape == (12, 3)
    free = pipe.generate(None, seed=0, steps=2, n=2)
    assert free.shape == (2, 88_200) and np.isfinite(free).all()

    def export(vae_source, folder):
        export_main(
            [
                "--vae",
                str(vae_source),
                "--vocoder",
                str(vocoder),
                "--diffusion",
                str(diffusion),
                "--out",
                str(folder),
                "--cache",
                str(tmp_path / "corpus"),
            ]
        )
        return json.loads((folder / "config.json").read_text())

    # A decoder-only fine-tune keeps the encoder, so the diffusion model still fits it.
    vae_ft = tmp_path / "vae_ft"
    train_main(
        [
            "vae",
            *common,
            "--steps",
            "1",
            "--out",
            str(vae_ft),
            "--batch",
            "4",
            "--init",
            str(vae),
            "--freeze-encoder",
            "--attack-frame-weight",
            "4",
        ]
    )
    before, after = (
        load_network(vae / "checkpoint", "vae"),
        load_network(vae_ft / "checkpoint", "vae"),
    )
    assert fingerprint(before.encoder) == fingerprint(after.encoder)
    assert fingerprint(before.decoder) != fingerprint(after.decoder)
    config = export(vae_ft, tmp_path / "weights_ft")
    assert config["provenance"]["vae"] == {
        "steps": 1,
        "train_s": config["provenance"]["vae"]["train_s"],
        "init": {"steps": 3, "train_s": config["provenance"]["vae"]["init"]["train_s"]},
    }

    # A weights folder serves as the diffusion source: swap one network into shipped weights.
    swapped = tmp_path / "weights_swapped"
    export_main(
        [
            "--vae",
            str(vae_ft),
            "--vocoder",
            str(out),
            "--diffusion",
            str(out),
            "--out",
            str(swapped),
            "--cache",
            str(tmp_path / "corpus"),
        ]
    )
    config = json.loads((swapped / "config.json").read_text())
    original = json.loads((out / "config.json").read_text())
    assert config["provenance"]["diffusion"] == original["provenance"]["diffusion"]
    assert config["provenance"]["vocoder"] == original["provenance"]["vocoder"]
    assert config["provenance"]["vae"]["init"]["steps"] == 3
    assert config["latent_mean"] == original["latent_mean"]
    swapped_vae = KickPipeline.from_pretrained(swapped).vae.state_dict()
    tuned = load_network(vae_ft / "checkpoint", "vae").state_dict()
    assert all(torch.equal(swapped_vae[k], tuned[k]) for k in tuned)

    # Fine-tuning the diffusion model starts from a weights folder as well as from a run.
    for name, source in (("from_weights", out), ("from_run", diffusion)):
        run = tmp_path / f"diffusion_ft_{name}"
        train_main(
            [
                "diffusion",
                *common,
                "--steps",
                "1",
                "--out",
                str(run),
                "--vae",
                str(vae),
                "--init",
                str(source),
                "--batch",
                "4",
            ]
        )
        state = json.loads((run / "checkpoint" / "state.json").read_text())
        assert state["extra"]["init"]["steps"] == 2

    # A trained vocoder takes the body oscillator on, trained against the body's own cycles.
    oscillator = tmp_path / "vocoder_osc"
    train_main(
        [
            "vocoder",
            *common,
            "--steps",
            "2",
            "--out",
            str(oscillator),
            "--batch",
            "2",
            "--init",
            str(vocoder),
            "--harmonics",
            "4",
        ]
    )
    assert all(r["cycles"] >= 0 for r in lines(oscillator / "log.jsonl") if "loss" in r)
    assert load_network(oscillator / "checkpoint", "vocoder").config.harmonics == 4
    export_main(
        [
            *("--vae", str(vae), "--vocoder", str(oscillator), "--diffusion", str(diffusion)),
            *("--out", str(tmp_path / "weights_osc"), "--cache", str(tmp_path / "corpus")),
        ]
    )
    kick = KickPipeline.from_pretrained(tmp_path / "weights_osc").generate(None, seed=0, steps=2)
    assert kick.shape == (88_200,) and np.isfinite(kick).all()

    # Training the whole VAE on moves its encoder: its latents are no longer the diffusion's.
    train_vae(4, "--resume")
    with pytest.raises(SystemExit, match="another VAE encoder"):
        export(vae, tmp_path / "refused")
    assert not (tmp_path / "refused").exists()


def test_source_is_required():
    with pytest.raises(SystemExit):
        train_main(["vae", "--steps", "1"])
