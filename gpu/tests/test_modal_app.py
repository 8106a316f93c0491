"""The Modal class's code, run in-process with .local() (no Modal server, no network): weights
come through the same Hub path as in production, from a cache folder the test builds."""

import io
import shutil
import wave

import pytest

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


pytestmark = pytest.mark.filterwarnings("ignore:The KickGenerator")


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


def test_stream_reraises_bad_prompts(generator):
    with pytest.raises(ValueError, match="Unknown keyword 'nope'"):
        list(generator.generate_kick_stream.local("nope"))


def test_vary_kick(generator):
    wav = generator.generate_kick.local("hit", seed=1)
    varied = generator.vary_kick.local(wav, 0.5, 2)
    assert frames(varied) == (44_100, 88_200) and varied != wav
    with pytest.raises(ValueError, match="Not a WAV"):
        generator.vary_kick.local(b"junk", 0.5, 2)
