"""Networks on disk: ``<name>.json`` (class + config dataclass) beside ``<name>.safetensors``.

Loading rebuilds the network from its config, then ``load_state_dict(strict=True)`` from
safetensors: no pickle anywhere, so a weights folder from the Hub cannot run code.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from gpu.networks.conditioning import ConditionEncoder
from gpu.networks.roles import Network
from gpu.networks.unet import LatentUNet
from gpu.networks.vae import MelVAE
from gpu.networks.vocoder import ISTFTVocoder

NETWORKS: dict[str, type[Network]] = {
    cls.__name__: cls for cls in (MelVAE, LatentUNet, ISTFTVocoder, ConditionEncoder)
}


def save_network(network: Network, directory: Path | str, name: str) -> None:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    spec = {"class": type(network).__name__, "config": network.config_dict()}
    (directory / f"{name}.json").write_text(json.dumps(spec, indent=2) + "\n")
    state = {key: value.detach().contiguous().cpu() for key, value in network.state_dict().items()}
    save_file(state, str(directory / f"{name}.safetensors"))


def load_network(directory: Path | str, name: str, device: str | torch.device = "cpu") -> Network:
    directory = Path(directory)
    config_path = directory / f"{name}.json"
    weights_path = directory / f"{name}.safetensors"
    for path in (config_path, weights_path):
        if not path.is_file():
            raise FileNotFoundError(f"Missing {path.name} in {directory}: not a weights folder.")
    spec = json.loads(config_path.read_text())
    try:
        cls = NETWORKS[spec["class"]]
    except KeyError:
        raise ValueError(
            f"{config_path} names network class {spec.get('class')!r}; "
            f"known classes: {sorted(NETWORKS)}."
        ) from None
    network = cls.from_config(spec["config"])
    network.load_state_dict(load_file(str(weights_path), device=str(device)), strict=True)
    return network.to(device).eval()


def fingerprint(module: nn.Module) -> str:
    """SHA-256 of a module's tensors (names, dtypes, shapes, bytes): equal exactly when the
    weights are. Ties a diffusion model to the VAE encoder whose latents it learned."""
    digest = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        value = tensor.detach().cpu().contiguous()
        digest.update(f"{name}:{value.dtype}:{tuple(value.shape)}".encode())
        digest.update(value.view(torch.uint8).numpy().tobytes() if value.numel() else b"")
    return digest.hexdigest()
