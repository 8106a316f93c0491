import json

import pytest
import torch

from gpu.networks.vae import MelVAE, VAEConfig
from gpu.weights_io.checkpoint import load_network, save_network


def test_safetensors_and_config_round_trip(tmp_path):
    vae = MelVAE(VAEConfig(channels=16, latent_channels=4, mel_mean=-4.5))
    save_network(vae, tmp_path, "vae")
    spec = json.loads((tmp_path / "vae.json").read_text())
    assert spec["class"] == "MelVAE" and spec["config"]["mel_mean"] == -4.5
    loaded = load_network(tmp_path, "vae")
    assert loaded.config == vae.config and not loaded.training
    for key, value in vae.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value)


def test_missing_and_foreign_files_fail_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Missing vae.json"):
        load_network(tmp_path, "vae")
    save_network(MelVAE(VAEConfig(channels=16)), tmp_path, "vae")
    (tmp_path / "vae.json").write_text(json.dumps({"class": "os.system", "config": {}}))
    with pytest.raises(ValueError, match="known classes"):
        load_network(tmp_path, "vae")


def test_weights_must_match_config(tmp_path):
    save_network(MelVAE(VAEConfig(channels=16)), tmp_path, "vae")
    spec = json.loads((tmp_path / "vae.json").read_text())
    spec["config"]["channels"] = 32
    (tmp_path / "vae.json").write_text(json.dumps(spec))
    with pytest.raises(RuntimeError, match="size mismatch"):
        load_network(tmp_path, "vae")
