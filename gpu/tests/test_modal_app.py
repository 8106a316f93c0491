"""The Modal class's code, run in-process with .local() (no Modal server, no network): weights
come through the same Hub path as in production, from a cache folder the test builds."""

import io
import shutil
import threading
import wave

import pytest
import torch

from gpu import modal_app

COMMIT = "89abcdef0123456789abcdef0123456789abcdef"


@pytest.fixture
def generator(tmp_path, tiny_weights, monkeypatch):
    cache = tmp_path / "hf"
    repo = cache / "models--kwr--kick-gen"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(COMMIT)
    shutil.copytree(tiny_weights, repo / "snapshots" / COMMIT)
    monkeypatch.setenv("KICKGEN_HUB_REPO", "kwr/kick-gen")
    monkeypatch.setenv("KICKGEN_HUB_REVISION", COMMIT)
    monkeypatch.setenv("KICKGEN_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return modal_app.KickGenerator()


def frames(wav: bytes) -> tuple[int, int]:
    with wave.open(io.BytesIO(wav)) as w:
        return w.getframerate(), w.getnframes()


pytestmark = pytest.mark.filterwarnings("ignore:The Kick(Batch)?Generator")


def test_app_definition_and_default_settings(monkeypatch):
    for name in ("KICKGEN_HUB_REPO", "KICKGEN_HUB_REVISION", "KICKGEN_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    assert modal_app.app.name == "kick-generator-app"
    assert modal_app.hub_settings() == {
        "path_or_hub_repo": modal_app.DEFAULT_REPO,
        "revision": None,
        "cache_dir": "/cache/huggingface",
    }


def test_generate_kick_returns_wav(generator):
    wav = generator.generate_kick.local("hit house", seed=3)
    assert frames(wav) == (44_100, 88_200)
    assert wav == generator.generate_kick.local(prompt="hit house", seed=3)
    assert wav != generator.generate_kick.local(
        "deep", seed=3, note="F1", decay_ms=300.0, punch=0.2
    )


def test_stream_yields_progress_then_wav(generator):
    events = list(generator.generate_kick_stream.local("hit house", seed=3, steps=3))
    assert events[:-1] == [{"progress": [i, 3]} for i in (1, 2, 3)]
    assert events[-1]["wav"] == generator.generate_kick.local("hit house", seed=3, steps=3)


def test_stream_matches_when_another_thread_set_torchs_thread_count(generator):
    """As in a web process whose model loader thread set the count: new threads take it, this
    thread keeps its own."""
    mine = torch.get_num_threads()
    other = 1 if mine > 1 else 2
    in_thread(lambda: torch.set_num_threads(other))
    try:
        assert in_thread(torch.get_num_threads) == other != torch.get_num_threads()
        events = list(generator.generate_kick_stream.local("hit house", seed=3, steps=3))
        assert events[-1]["wav"] == generator.generate_kick.local("hit house", seed=3, steps=3)
    finally:
        in_thread(lambda: torch.set_num_threads(mine))


def in_thread(function):
    """`function()` run on a new thread; its result."""
    result = []
    worker = threading.Thread(target=lambda: result.append(function()))
    worker.start()
    worker.join()
    return result[0]


def test_stream_reraises_bad_prompts(generator):
    with pytest.raises(ValueError, match="Unknown keyword 'nope'"):
        list(generator.generate_kick_stream.local("nope"))


def test_vary_kick(generator):
    wav = generator.generate_kick.local("hit", seed=1)
    varied = generator.vary_kick.local(wav, 0.5, 2)
    assert frames(varied) == (44_100, 88_200) and varied != wav
    with pytest.raises(ValueError, match="Not a WAV"):
        generator.vary_kick.local(b"junk", 0.5, 2)


class FakeQueue:
    """Stands in for the modal.Queue the batched method reports progress to."""

    def __init__(self):
        self.items: list[tuple[str, list[int]]] = []

    def put(self, value, partition=None, partition_ttl=None):
        self.items.append((partition, value))


@pytest.fixture
def progress(monkeypatch):
    fake = FakeQueue()
    monkeypatch.setattr(modal_app, "progress_queue", fake)
    return fake


@pytest.fixture
def batch_generator(generator, progress):
    return modal_app.KickBatchGenerator()


def call_batch(batcher, *calls):
    """Modal hands a batch's calls to the method as one list per parameter."""
    names = ("prompt", "seed", "note", "decay_ms", "punch", "progress_key")
    return batcher.generate_kicks.local(**{name: [c[name] for c in calls] for name in names})


def kick_call(prompt, seed, key, note=None):
    return {"prompt": prompt, "seed": seed, "note": note, "decay_ms": None, "punch": None,
            "progress_key": key}  # fmt: skip


def test_batch_calls_get_their_own_kicks_errors_and_progress(batch_generator, generator, progress):
    results = call_batch(
        batch_generator,
        kick_call("hit house", 3, "a"),
        kick_call("hit", 4, "b", note="C5"),  # outside the trained range: fails alone
        kick_call("deep", 5, "c", note="F1"),
    )
    assert "outside what this model makes" in results[1]["error"]
    assert set(results[0]) == set(results[2]) == {"wav"}
    alone = [
        generator.generate_kick.local("hit house", seed=3),
        generator.generate_kick.local("deep", seed=5, note="F1"),
    ]
    for result, wav in zip((results[0], results[2]), alone, strict=True):
        assert frames(result["wav"]) == (44_100, 88_200)
        assert max_pcm_difference(result["wav"], wav) <= 3  # bounded: gpu/tests/test_pipeline_batch
    by_key = {}
    for key, value in progress.items:
        by_key.setdefault(key, []).append(value)
    assert set(by_key) == {"a", "c"}  # the failed call's partition hears nothing
    assert by_key["a"] == by_key["c"] and by_key["a"][-1] == [4, 4]  # tiny weights: 4 steps


def test_a_batch_of_bad_calls_runs_nothing(batch_generator, progress):
    results = call_batch(batch_generator, kick_call("nope", 1, "a"))
    assert "Unknown keyword 'nope'" in results[0]["error"]
    assert progress.items == []


def test_progress_relay_sends_the_latest_step_to_every_key():
    progress = FakeQueue()
    relay = modal_app.ProgressRelay(progress, ["a", "b"])
    for step in range(1, 11):
        relay.report(step, 10)
    relay.close(timeout=5)
    assert progress.items[-2:] == [("a", [10, 10]), ("b", [10, 10])]
    steps = [value[0] for key, value in progress.items if key == "a"]
    assert steps == sorted(steps) and len(steps) <= 10  # coalesced, never out of order


def max_pcm_difference(a: bytes, b: bytes) -> int:
    import numpy as np

    from gpu.audio.wav import read_wav_bytes

    return round(float(np.abs(read_wav_bytes(a)[0] - read_wav_bytes(b)[0]).max()) * 32767)
