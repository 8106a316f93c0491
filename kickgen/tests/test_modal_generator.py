"""The Modal backend with `modal.Cls.from_name` replaced (no Modal server is reachable here)."""

import time
from concurrent.futures import ThreadPoolExecutor

import modal
import pytest

from kickgen import generators, jobs
from kickgen.generators import GenerationRequest, ModalGenerator
from kickgen.limits import reserve_generation
from kickgen.models import GenerationJob
from kickgen.tests.doubles import kick_wav

pytestmark = pytest.mark.django_db


class RemoteMethod:
    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.calls = []

    def remote(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self.behaviour(*args, **kwargs)

    def remote_gen(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        yield from self.behaviour(*args, **kwargs)


class FakeKickGenerator:
    """Stands in for the deployed class: same method names, same event shapes."""

    def __init__(self, stall_s: float = 0.0):
        def stream(**kwargs):
            for step in range(1, 4):
                if stall_s:
                    time.sleep(stall_s)
                yield {"progress": [step, 3]}
            yield {"wav": kick_wav()}

        self.generate_kick_stream = RemoteMethod(stream)
        self.vary_kick = RemoteMethod(lambda wav, strength, seed: kick_wav(50.0))


@pytest.fixture
def modal_worker(monkeypatch, settings):
    settings.KICKGEN_BACKEND = "modal"
    looked_up = []
    worker = FakeKickGenerator()

    def from_name(app_name, class_name, **kwargs):
        looked_up.append((app_name, class_name))
        return lambda: worker

    monkeypatch.setattr(modal.Cls, "from_name", from_name)
    worker.looked_up = looked_up
    return worker


def test_settings_choose_modal(modal_worker):
    assert isinstance(generators.get_generator(), ModalGenerator)


def test_stream_reports_progress_and_returns_the_wav(modal_worker):
    seen = []
    request = GenerationRequest(keywords="hit deep", seed=11, note="G1", decay_ms=300, punch=0.4)
    wav = ModalGenerator().generate(request, lambda step, total: seen.append((step, total)))
    assert wav == kick_wav()
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert modal_worker.looked_up == [("kick-generator-app", "KickGenerator")]
    assert modal_worker.generate_kick_stream.calls == [
        ((), {"prompt": "hit deep", "seed": 11, "note": "G1", "decay_ms": 300, "punch": 0.4})
    ]


def test_vary_sends_the_source_wav(modal_worker):
    request = GenerationRequest(keywords="hit house", seed=3, source_wav=b"RIFF-source")
    assert ModalGenerator().generate(request, lambda s, t: None) == kick_wav(50.0)
    assert modal_worker.vary_kick.calls == [((b"RIFF-source", 0.5, 3), {})]


def test_stream_without_a_wav_fails_the_job(modal_worker, member):
    modal_worker.generate_kick_stream = RemoteMethod(lambda **kw: iter([{"progress": [1, 1]}]))
    job, _ = reserve_generation(member, seed=1, keywords="hit house")
    jobs.process_job(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.error) == (GenerationJob.Status.FAILED, jobs.MSG_GENERATOR)


def test_modal_job_end_to_end(modal_worker, member):
    job, _ = reserve_generation(member, seed=1, keywords="hit house")
    jobs.process_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE
    assert job.kick.name.startswith("AI: ")


def test_stalled_stream_times_out(modal_worker, member, settings, monkeypatch):
    settings.KICKGEN_TIMEOUT_S = 0.3
    stalled = FakeKickGenerator(stall_s=2.0)
    monkeypatch.setattr(modal.Cls, "from_name", lambda *a, **k: lambda: stalled)
    job, _ = reserve_generation(member, seed=1, keywords="hit house")
    jobs.process_job(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.error) == (
        GenerationJob.Status.FAILED,
        jobs.MSG_TIMEOUT.format(seconds=0.3),
    )


class SlowToBuild:
    """A backend whose construction takes long enough for two first callers to overlap."""

    built = 0

    def __init__(self) -> None:
        time.sleep(0.2)
        type(self).built += 1


def test_concurrent_first_calls_build_one_backend(settings):
    settings.KICKGEN_BACKEND = f"{__name__}.SlowToBuild"
    SlowToBuild.built = 0
    with ThreadPoolExecutor(4) as pool:
        backends = list(pool.map(lambda _: generators.get_generator(), range(4)))
    assert SlowToBuild.built == 1
    assert all(backend is backends[0] for backend in backends)
