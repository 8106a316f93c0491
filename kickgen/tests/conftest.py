import functools
from pathlib import Path

import pytest

from kickgen import events, generators, jobs
from kickgen.models import GeneratedKick
from kickgen.tests.doubles import ScriptedGenerator


@pytest.fixture(autouse=True)
def _isolated_kickgen(settings, tmp_path, monkeypatch):
    """Files under a temp MEDIA_ROOT, filesystem storage, no leftover loop, no orphan sweep."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SUPABASE_URL = ""
    settings.SUPABASE_SERVICE_KEY = ""
    monkeypatch.setattr(events, "_server_loop", None)
    monkeypatch.setattr(jobs, "_startup_swept", True)
    monkeypatch.setattr(jobs, "_last_sweep", float("inf"))  # no periodic sweep unless a test asks
    yield


@pytest.fixture
def scripted(monkeypatch):
    generator = ScriptedGenerator()
    # Cached like the real accessor, so settings changes (which clear it) keep this backend.
    monkeypatch.setattr(generators, "get_generator", functools.cache(lambda: generator))
    return generator


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT) / "generated-kicks"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.wav")) if root.exists() else []


def make_kick(user, name: str, **fields) -> GeneratedKick:
    defaults = {
        "audio_url": f"/media/{name}.wav",
        "storage_path": f"{user.pk}/{name}.wav",
        "seed": 1,
    }
    return GeneratedKick.objects.create(user=user, name=name, **{**defaults, **fields})
