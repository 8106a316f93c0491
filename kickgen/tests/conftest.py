import functools
from pathlib import Path

import pytest

from kickgen import events
from kickgen.generators import backend
from kickgen.jobs import orphans
from kickgen.models import GeneratedKick
from kickgen.tests.doubles import ScriptedGenerator
from kickgen.tests.live import kickgen_cluster
from testsupport.tiny_weights import write_tiny_weights


@pytest.fixture(autouse=True)
def _isolated_kickgen(settings, tmp_path, monkeypatch):
    """Files under a temp MEDIA_ROOT, filesystem storage, no leftover loop, no orphan sweep."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SUPABASE_URL = ""
    settings.SUPABASE_SERVICE_KEY = ""
    monkeypatch.setattr(events, "_server_loop", None)
    monkeypatch.setattr(orphans, "_startup_swept", True)
    # No periodic sweep unless a test asks.
    monkeypatch.setattr(orphans, "_last_sweep", float("inf"))
    yield


@pytest.fixture
def scripted(monkeypatch):
    generator = ScriptedGenerator()
    # Cached like the real accessor, so settings changes (which clear it) keep this backend.
    monkeypatch.setattr(backend, "get_generator", functools.cache(lambda: generator))
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


@pytest.fixture
def paced_cluster(tmp_path):
    """Starts daphne processes over one database, generating with the PacedGenerator double:
    `paced_cluster(processes, redis_url)` (channels-redis when a URL is given); all stopped
    after the test."""
    made = []

    def start(processes: int = 1, redis_url: str = ""):
        cluster = kickgen_cluster(tmp_path, "kickgen.tests.doubles.PacedGenerator", redis_url)
        made.append(cluster)
        cluster.start(processes)
        return cluster

    yield start
    for cluster in made:
        cluster.stop()


@pytest.fixture(scope="module")
def tiny_model_server(tmp_path_factory):
    """One daphne process per test module running the real local pipeline on tiny weights."""
    workdir = tmp_path_factory.mktemp("kickgen-tiny-model")
    weights = write_tiny_weights(workdir / "weights")
    cluster = kickgen_cluster(
        workdir, "local", settings_lines=[f"KICKGEN_MODEL_PATH = {str(weights)!r}"]
    )
    cluster.start(1)
    yield cluster
    cluster.stop()
