"""Loading from the Hugging Face Hub cache, offline: the test builds the cache layout that
snapshot_download itself writes (refs/<branch> -> commit hash, snapshots/<hash>/<files>)."""

import shutil

import numpy as np
import pytest
from huggingface_hub.errors import LocalEntryNotFoundError

from gpu.pipeline import KickPipeline
from gpu.weights_io.hub import is_repo_id, resolve_weights

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def hub_cache(tmp_path, tiny_weights):
    repo = tmp_path / "cache" / "models--kwr--kick-gen"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    shutil.copytree(tiny_weights, repo / "snapshots" / COMMIT)
    return tmp_path / "cache"


def test_repo_ids():
    assert is_repo_id("kwr/kick-gen") and not is_repo_id("kick-gen") and not is_repo_id("/abs/path")


def test_from_pretrained_via_hub_cache(hub_cache, tiny_pipe):
    pipe = KickPipeline.from_pretrained("kwr/kick-gen", cache_dir=hub_cache, local_files_only=True)
    assert np.array_equal(pipe.generate("hit", seed=1), tiny_pipe.generate("hit", seed=1))


def test_pinned_revision(hub_cache):
    folder = resolve_weights(
        "kwr/kick-gen", revision=COMMIT, cache_dir=hub_cache, local_files_only=True
    )
    assert folder.name == COMMIT and (folder / "config.json").is_file()


def test_offline_env_is_honoured(hub_cache, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert resolve_weights("kwr/kick-gen", cache_dir=hub_cache).name == COMMIT


def test_unknown_repo_or_revision_fails_without_network(hub_cache):
    with pytest.raises(LocalEntryNotFoundError):
        resolve_weights("kwr/other", cache_dir=hub_cache, local_files_only=True)
    with pytest.raises(LocalEntryNotFoundError):
        resolve_weights(
            "kwr/kick-gen", revision="f" * 40, cache_dir=hub_cache, local_files_only=True
        )


def test_neither_folder_nor_repo(tmp_path):
    with pytest.raises(FileNotFoundError, match="neither a weights folder nor a Hub repo id"):
        resolve_weights(tmp_path / "missing" / "deeper" / "path")
