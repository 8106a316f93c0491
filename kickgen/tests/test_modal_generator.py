"""The Modal backend with `modal.Cls.from_name` and `modal.Queue.from_name` replaced (no Modal
server is reachable here)."""

import json
import queue
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import modal
import pytest

from gpu.corpus.synth import KEYWORDS
from kickgen.generators import backend
from kickgen.generators.modal_client import ModalGenerator
from kickgen.generators.protocol import GenerationRequest, ranges_from_config
from kickgen.jobs import failures, processing
from kickgen.limits import reserve_generation, usage_for
from kickgen.models import GenerationJob
from kickgen.tests.doubles import kick_wav

pytestmark = pytest.mark.django_db


class FakeQueue:
    """A modal.Queue's partitions: put from the worker, get_many from the web process."""

    def __init__(self):
        self.partitions = defaultdict(list)
        self.changed = threading.Condition()

    def put(self, value, partition=None, partition_ttl=None):
        with self.changed:
            self.partitions[partition].append(value)
            self.changed.notify_all()

    def get_many(self, n_values, block=True, timeout=None, partition=None):
        with self.changed:
            if not block:  # modal returns what is there, [] when empty
                timeout = 0
                if not self.partitions[partition]:
                    return []
            if not self.changed.wait_for(lambda: self.partitions[partition], timeout):
                raise queue.Empty
            taken = self.partitions[partition][:n_values]
            del self.partitions[partition][:n_values]
            return taken


class RemoteMethod:
    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.calls = []

    def remote(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self.behaviour(*args, **kwargs)


class FakeBatchGenerator:
    """Stands in for the deployed KickBatchGenerator: progress to the call's partition, then
    the call's own result."""

    def __init__(self, progress: FakeQueue, result=None, stall_s: float = 0.0):
        def generate_kicks(progress_key, **request):
            if stall_s:
                time.sleep(stall_s)
            for step in range(1, 4):
                progress.put([step, 3], partition=progress_key)
            return result if result is not None else {"wav": kick_wav()}

        self.generate_kicks = RemoteMethod(generate_kicks)


class FakeKickGenerator:
    def __init__(self):
        self.vary_kick = RemoteMethod(lambda wav, strength, seed: kick_wav(50.0))


@pytest.fixture
def modal_worker(monkeypatch, settings):
    """The deployed classes, by name, and the progress Queue; `.batch` can be replaced."""
    settings.KICKGEN_BACKEND = "modal"
    progress = FakeQueue()

    class Deployed:
        looked_up: list[tuple[str, str]] = []
        queue = progress
        batch = FakeBatchGenerator(progress)
        single = FakeKickGenerator()

    def from_name(app_name, class_name, **kwargs):
        Deployed.looked_up.append((app_name, class_name))
        return lambda: Deployed.batch if class_name == "KickBatchGenerator" else Deployed.single

    monkeypatch.setattr(modal.Cls, "from_name", from_name)
    queues = {"kick-gen-progress": progress}
    monkeypatch.setattr(modal.Queue, "from_name", lambda name, **kwargs: queues[name])
    return Deployed


def test_settings_choose_modal(modal_worker):
    assert isinstance(backend.get_generator(), ModalGenerator)


def test_new_kick_is_one_batched_call_with_its_own_progress(modal_worker):
    seen = []
    request = GenerationRequest(keywords="hit deep", seed=11, note="G1", decay_ms=300, punch=0.4)
    wav = ModalGenerator().generate(request, lambda step, total: seen.append((step, total)))
    assert wav == kick_wav()
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert modal_worker.looked_up == [("kick-generator-app", "KickBatchGenerator")]
    [(args, kwargs)] = modal_worker.batch.generate_kicks.calls
    key = kwargs.pop("progress_key")
    assert args == () and len(key) == 32
    assert kwargs == {"prompt": "hit deep", "seed": 11, "note": "G1", "decay_ms": 300, "punch": 0.4}
    assert modal_worker.queue.partitions[key] == []  # every step was read


class LateQueue(FakeQueue):
    """A queue whose waiting reads never see the steps in time: every step arrives between the
    relay's last waiting read and the call's end, as when a fast call beats the first poll."""

    def get_many(self, n_values, block=True, timeout=None, partition=None):
        if block:
            raise queue.Empty
        return super().get_many(n_values, block=False, partition=partition)


def test_steps_put_just_before_the_call_ends_still_reach_the_job(modal_worker, monkeypatch):
    late = LateQueue()
    modal_worker.batch = FakeBatchGenerator(late)
    monkeypatch.setattr(modal.Queue, "from_name", lambda name, **kwargs: late)
    seen = []
    wav = ModalGenerator().generate(GenerationRequest("hit", seed=1), lambda s, t: seen.append(s))
    assert wav == kick_wav()
    assert seen == [1, 2, 3]


def test_concurrent_calls_keep_their_own_progress_and_kicks(modal_worker):
    """Two members' calls land in one batch: each hears only its own steps and gets its kick."""
    both_arrived = threading.Barrier(2)

    def batch_of_two(progress_key, seed, **request):
        both_arrived.wait(timeout=5)
        for step in range(1, seed + 1):  # the members' kicks report different step counts
            modal_worker.queue.put([step, seed], partition=progress_key)
        return {"wav": kick_wav(40.0 + seed)}

    modal_worker.batch.generate_kicks = RemoteMethod(batch_of_two)
    backend = ModalGenerator()

    def member(seed):
        seen = []
        wav = backend.generate(GenerationRequest("hit", seed=seed), lambda s, t: seen.append(t))
        return wav, seen

    with ThreadPoolExecutor(2) as pool:
        (wav_2, seen_2), (wav_5, seen_5) = pool.map(member, (2, 5))
    assert (wav_2, wav_5) == (kick_wav(42.0), kick_wav(45.0))
    assert (seen_2, seen_5) == ([2, 2], [5] * 5)


def test_vary_goes_to_the_unbatched_class(modal_worker):
    request = GenerationRequest(keywords="hit house", seed=3, source_wav=b"RIFF-source")
    assert ModalGenerator().generate(request, lambda s, t: None) == kick_wav(50.0)
    assert modal_worker.single.vary_kick.calls == [((b"RIFF-source", 0.5, 3), {})]
    assert modal_worker.looked_up == [("kick-generator-app", "KickGenerator")]


def test_a_request_the_model_refuses_fails_only_that_job(modal_worker, member):
    message = "note 'C5' (523.3 Hz) is outside what the model was trained on: 30–110 Hz."
    modal_worker.batch = FakeBatchGenerator(modal_worker.queue, result={"error": message})
    job, _ = reserve_generation(member, seed=1, keywords="hit house", note="C5")
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.error) == (GenerationJob.Status.FAILED, message)
    assert usage_for(member).today == 0


def test_worker_error_fails_the_job(modal_worker, member):
    def crash(**kwargs):
        raise RuntimeError("CUDA error: out of memory")

    modal_worker.batch.generate_kicks = RemoteMethod(crash)
    job, _ = reserve_generation(member, seed=1, keywords="hit house")
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.error) == (GenerationJob.Status.FAILED, failures.MSG_GENERATOR)


def test_modal_job_end_to_end(modal_worker, member):
    job, _ = reserve_generation(member, seed=1, keywords="hit house")
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE
    assert job.progress_step == job.progress_total == 3
    assert job.kick.name.startswith("AI: ")


def test_stalled_call_times_out(modal_worker, member, settings):
    settings.KICKGEN_TIMEOUT_S = 0.3
    modal_worker.batch = FakeBatchGenerator(modal_worker.queue, stall_s=5.0)
    job, _ = reserve_generation(member, seed=1, keywords="hit house")
    started = time.monotonic()
    processing.process_job(str(job.pk))
    assert time.monotonic() - started < 4.0  # gave up, did not wait out the 5 s stall
    job.refresh_from_db()
    assert (job.status, job.error) == (
        GenerationJob.Status.FAILED,
        failures.MSG_TIMEOUT.format(seconds=0.3),
    )


def test_the_page_offers_the_published_weights_words_and_ranges(settings, tmp_path):
    """The worker serves the weights published from KICKGEN_MODEL_PATH: the form offers their
    words and ranges; a process without that folder offers the training vocabulary."""
    shipped = Path(settings.KICKGEN_MODEL_PATH)
    settings.KICKGEN_MODEL_PATH = str(tmp_path)
    assert ModalGenerator().vocabulary() == list(KEYWORDS)
    assert ModalGenerator().descriptor_ranges() == {}

    (tmp_path / "vocabulary.json").write_text(json.dumps(["hit", "warehouse", "zap"]))
    (tmp_path / "config.json").write_text((shipped / "config.json").read_text())
    assert ModalGenerator().vocabulary() == ["hit", "warehouse", "zap"]
    config = (shipped / "config.json").read_text()
    assert ModalGenerator().descriptor_ranges() == ranges_from_config(config) != {}


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
        backends = list(pool.map(lambda _: backend.get_generator(), range(4)))
    assert SlowToBuild.built == 1
    assert all(backend is backends[0] for backend in backends)
