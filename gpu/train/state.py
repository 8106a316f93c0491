"""Resumable runs: networks + optimizer + RNG in safetensors, counters in JSON, JSON-lines log.

Layout of a run folder:
    checkpoint/<network>.json|.safetensors   (gpu.weights_io.checkpoint's format, as shipped)
    checkpoint/optimizer.safetensors          (every tensor of optimizer.state_dict())
    checkpoint/state.json                     (step, elapsed time, param groups, NumPy RNG, extras)
    log.jsonl                                 (one JSON object per logged step)
A checkpoint is written to checkpoint.tmp and renamed, so a kill mid-write keeps the last one.
Where a network is read from, a weights folder (gpu/weights) serves as well as a run.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from gpu.networks.roles import Network
from gpu.weights_io.checkpoint import save_network


def _optimizer_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict, dict]:
    state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, values in state["state"].items():
        for key, value in values.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{index}.{key}"] = value.detach().contiguous().cpu()
            else:
                scalars[f"{index}.{key}"] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _restore_optimizer(optimizer: torch.optim.Optimizer, tensors: dict, meta: dict) -> None:
    state: dict[int, dict] = {}
    for name, value in [*tensors.items(), *meta["scalars"].items()]:
        index, key = name.split(".", 1)
        state.setdefault(int(index), {})[key] = value
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})


def networks_folder(path: Path | str) -> Path:
    """A run's checkpoint folder, or a weights folder itself: either holds
    ``<network>.json`` + ``<network>.safetensors``."""
    path = Path(path)
    return path / "checkpoint" if (path / "checkpoint").is_dir() else path


def provenance(source: Path | str, name: str) -> dict:
    """Steps and training time of the network ``name`` ("vae", "vocoder", "diffusion") in a
    run, or as recorded in a weights folder's config.json. A run that fine-tuned other weights
    carries their provenance under ``init``."""
    state_file = Path(source) / "checkpoint" / "state.json"
    if state_file.is_file():
        state = json.loads(state_file.read_text())
        entry = {"steps": state["step"], "train_s": round(state["elapsed_s"], 1)}
        if state.get("extra", {}).get("init"):
            entry["init"] = state["extra"]["init"]
        return entry
    return json.loads((Path(source) / "config.json").read_text())["provenance"][name]


class Run:
    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.checkpoint = self.folder / "checkpoint"
        self.step = 0
        self.elapsed_s = 0.0
        self.extra: dict = {}
        self._clock = time.monotonic()

    def has_checkpoint(self) -> bool:
        return (self.checkpoint / "state.json").is_file()

    def elapsed(self) -> float:
        return self.elapsed_s + time.monotonic() - self._clock

    def save(
        self,
        networks: dict[str, Network],
        optimizer: torch.optim.Optimizer,
        rng: np.random.Generator,
        extra: dict | None = None,
    ) -> None:
        tmp = self.folder / "checkpoint.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name, network in networks.items():
            save_network(network, tmp, name)
        tensors, meta = _optimizer_tensors(optimizer)
        tensors["torch_rng"] = torch.get_rng_state()
        save_file(tensors, str(tmp / "optimizer.safetensors"))
        self.extra = extra or self.extra
        state = {
            "step": self.step,
            "elapsed_s": round(self.elapsed(), 1),
            "numpy_rng": rng.bit_generator.state,
            "optimizer": meta,
            "extra": self.extra,
        }
        (tmp / "state.json").write_text(json.dumps(state, indent=1))
        shutil.rmtree(self.checkpoint, ignore_errors=True)
        tmp.rename(self.checkpoint)

    def restore(
        self,
        networks: dict[str, Network],
        optimizer: torch.optim.Optimizer,
        rng: np.random.Generator,
    ) -> None:
        state = json.loads((self.checkpoint / "state.json").read_text())
        for name, network in networks.items():
            weights = load_file(str(self.checkpoint / f"{name}.safetensors"))
            network.load_state_dict(weights, strict=True)
        tensors = load_file(str(self.checkpoint / "optimizer.safetensors"))
        torch.set_rng_state(tensors.pop("torch_rng"))
        _restore_optimizer(optimizer, tensors, state["optimizer"])
        rng.bit_generator.state = state["numpy_rng"]
        self.step = state["step"]
        self.elapsed_s = state["elapsed_s"]
        self.extra = state["extra"]
        self._clock = time.monotonic()

    def log(self, **values) -> None:
        record = {"step": self.step, "elapsed_s": round(self.elapsed(), 1), **values}
        with (self.folder / "log.jsonl").open("a") as out:
            out.write(json.dumps(record) + "\n")
        print(json.dumps(record), flush=True)
