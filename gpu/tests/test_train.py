"""The training CLI end to end on a tiny synthetic corpus: three networks, resume, export,
and the exported folder loads in the pipeline."""

import json

import numpy as np
import pytest

from gpu.export import main as export_main
from gpu.pipeline import KickPipeline
from gpu.train.__main__ import main as train_main

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
    train_main(["vae", *common, "--steps", "2", "--out", str(vae), "--width", "16", "--batch", "4"])
    train_main(
        [
            "vae",
            *common,
            "--steps",
            "3",
            "--out",
            str(vae),
            "--width",
            "16",
            "--batch",
            "4",
            "--resume",
        ]
    )
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
    assert state["extra"]["train"] == {"synthetic": 12, "seed": 0}
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
        ]
    )
    config = json.loads((out / "config.json").read_text())
    assert config["train"] == {"synthetic": 12, "seed": 0}
    assert config["provenance"]["vae"]["steps"] == 3
    pipe = KickPipeline.from_pretrained(out)
    audio = pipe.generate(pipe.vocabulary[0], seed=0, steps=2)
    assert audio.shape == (88_200,) and np.isfinite(audio).all()


def test_export_refuses_mismatched_vae(tmp_path):
    (tmp_path / "vae" / "checkpoint").mkdir(parents=True)
    (tmp_path / "vae" / "checkpoint" / "state.json").write_text(
        json.dumps({"step": 9, "elapsed_s": 1})
    )
    (tmp_path / "diffusion" / "checkpoint").mkdir(parents=True)
    (tmp_path / "diffusion" / "checkpoint" / "state.json").write_text(
        json.dumps({"step": 1, "elapsed_s": 1, "extra": {"vae_step": 5}})
    )
    with pytest.raises(SystemExit, match="VAE step 5"):
        export_main(
            [
                "--vae",
                str(tmp_path / "vae"),
                "--vocoder",
                str(tmp_path / "vae"),
                "--diffusion",
                str(tmp_path / "diffusion"),
                "--out",
                str(tmp_path / "w"),
            ]
        )


def test_source_is_required():
    with pytest.raises(SystemExit):
        train_main(["vae", "--steps", "1"])
