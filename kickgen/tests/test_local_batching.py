"""The local backend batches the requests waiting for its model (tiny real-format weights).

A "gate" request holds the model thread inside its first step while the others queue up, so
what runs together is deterministic.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from django.db import connection

from gpu.audio.wav import read_wav_bytes
from gpu.pipeline import PromptError
from kickgen.generators.local import LocalGenerator
from kickgen.generators.protocol import GenerationRequest
from kickgen.jobs.processing import process_job
from kickgen.jobs.runner import JobRunner, default_batch_size, default_parallel_jobs
from kickgen.limits import reserve_generation, usage_for
from testsupport.tiny_weights import write_tiny_weights

PCM_BOUND_LSB = 3  # a batched kick against the same kick alone (gpu/tests/test_pipeline_batch)


class Gone(Exception):
    """What a caller's progress callback raises once it stopped waiting."""


@pytest.fixture(scope="module")
def weights(tmp_path_factory):
    return str(write_tiny_weights(tmp_path_factory.mktemp("weights")))


@pytest.fixture
def generator(weights):
    local = LocalGenerator(weights)
    pipe = local.pipeline()
    local.batches = []
    batch, vary = pipe.generate_batch, pipe.vary

    def recorded_batch(rows, **kwargs):
        local.batches.append([row["seed"] for row in rows])
        return batch(rows, **kwargs)

    def recorded_vary(audio, **kwargs):
        local.batches.append(["vary", kwargs["seed"]])
        return vary(audio, **kwargs)

    pipe.generate_batch, pipe.vary = recorded_batch, recorded_vary
    return local


class Caller:
    """One job's call into the generator, from its own thread, with its own progress log."""

    def __init__(self, generator, request, cancel_at=None, hold=None):
        self.steps = []
        self.result = None
        self.cancel_at = cancel_at
        self.hold = hold
        self.thread = threading.Thread(target=self._call, args=(generator, request))
        self.thread.start()

    def _progress(self, step, total):
        if self.hold is not None:
            self.hold.wait(10)
        if step == self.cancel_at:
            raise Gone
        self.steps.append((step, total))

    def _call(self, generator, request):
        try:
            self.result = generator.generate(request, self._progress)
        except Exception as exc:
            self.result = exc

    def join(self):
        self.thread.join(20)
        assert not self.thread.is_alive()
        return self.result


def queued_behind_gate(generator, *calls):
    """Start a gate request that holds the model, queue `calls` (kwargs of Caller), then let
    the model go. Returns the callers of `calls`, once all have their results."""
    release = threading.Event()
    gate = Caller(generator, GenerationRequest("hit", seed=100), hold=release)
    while not generator.batches:
        time.sleep(0.01)
    callers = [Caller(generator, **call) for call in calls]
    deadline = time.monotonic() + 10
    while len(generator._queue) < len(calls):
        assert time.monotonic() < deadline, "requests did not queue"
        time.sleep(0.01)
    release.set()
    for caller in (gate, *callers):
        caller.join()
    return callers


def alone(generator, request):
    return generator.pipeline().to_wav_bytes(
        generator.pipeline().generate(**request.model_kwargs())
    )


def pcm_difference(a, b):
    return round(float(np.abs(read_wav_bytes(a)[0] - read_wav_bytes(b)[0]).max()) * 32767)


REQUESTS = [
    GenerationRequest("hit house", seed=1, note="F1"),
    GenerationRequest("deep", seed=2, decay_ms=400),
    GenerationRequest("punchy", seed=3, punch=0.3),
]


def test_waiting_requests_run_as_one_batch_each_with_its_own_kick_and_progress(generator):
    callers = queued_behind_gate(generator, *({"request": r} for r in REQUESTS))
    assert generator.batches == [[100], [1, 2, 3]]
    for caller, request in zip(callers, REQUESTS, strict=True):
        assert pcm_difference(caller.result, alone(generator, request)) <= PCM_BOUND_LSB
        assert caller.steps == [(step, 4) for step in range(1, 5)]  # its own, once each
    assert len({caller.result for caller in callers}) == 3


def test_a_request_the_model_refuses_fails_alone(generator):
    bad = GenerationRequest("hit", seed=9, note="C5")
    first, refused, last = queued_behind_gate(
        generator, {"request": REQUESTS[0]}, {"request": bad}, {"request": REQUESTS[1]}
    )
    assert isinstance(refused.result, PromptError) and "outside" in str(refused.result)
    assert refused.steps == []
    assert generator.batches == [[100], [1, 2]]
    assert pcm_difference(first.result, alone(generator, REQUESTS[0])) <= PCM_BOUND_LSB
    assert pcm_difference(last.result, alone(generator, REQUESTS[1])) <= PCM_BOUND_LSB


def test_a_caller_that_gives_up_drops_out_and_its_batch_mates_finish(generator):
    first, gone, last = queued_behind_gate(
        generator,
        {"request": REQUESTS[0]},
        {"request": REQUESTS[1], "cancel_at": 2},
        {"request": REQUESTS[2]},
    )
    assert isinstance(gone.result, Gone) and gone.steps == [(1, 4)]
    for caller, request in ((first, REQUESTS[0]), (last, REQUESTS[2])):
        assert pcm_difference(caller.result, alone(generator, request)) <= PCM_BOUND_LSB
        assert caller.steps[-1] == (4, 4)


def test_a_batch_nobody_waits_for_stops_and_the_model_serves_on(generator):
    one, two = queued_behind_gate(
        generator,
        {"request": REQUESTS[0], "cancel_at": 1},
        {"request": REQUESTS[1], "cancel_at": 1},
    )
    assert isinstance(one.result, Gone) and isinstance(two.result, Gone)
    after = Caller(generator, REQUESTS[2]).join()
    assert pcm_difference(after, alone(generator, REQUESTS[2])) <= PCM_BOUND_LSB


def test_variations_run_alone_in_their_turn(generator):
    source = alone(generator, REQUESTS[0])
    variation = GenerationRequest("hit", seed=7, source_wav=source)
    first, varied, last = queued_behind_gate(
        generator, {"request": REQUESTS[1]}, {"request": variation}, {"request": REQUESTS[2]}
    )
    # New kicks queued behind a variation join the batch before it; the variation runs next.
    assert generator.batches == [[100], [2, 3], ["vary", 7]]
    assert pcm_difference(first.result, alone(generator, REQUESTS[1])) <= PCM_BOUND_LSB
    assert pcm_difference(last.result, alone(generator, REQUESTS[2])) <= PCM_BOUND_LSB
    assert read_wav_bytes(varied.result)[0].shape == (88200,) and varied.result != source
    assert varied.steps and varied.steps[-1][0] == varied.steps[-1][1]


@pytest.mark.django_db(transaction=True)
def test_jobs_clicked_together_share_a_batch_and_keep_their_own_outcome(
    settings, weights, member, other_member
):
    settings.KICKGEN_BACKEND = "local"
    settings.KICKGEN_MODEL_PATH = weights
    settings.KICKGEN_HUB_REPO = ""
    runner = JobRunner(default_parallel_jobs(), default_batch_size())
    assert (runner.max_workers, runner.batch_size) == (16, 8)
    reserved = [
        reserve_generation(member, seed=1, keywords="hit house", note="F1")[0],
        reserve_generation(other_member, seed=2, keywords="deep")[0],
        reserve_generation(other_member, seed=3, keywords="hit", note="C5")[0],  # refused
    ]

    def run(job):
        try:
            process_job(str(job.pk), runner)
        finally:
            connection.close()

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(run, reserved))
    for job in reserved:
        job.refresh_from_db()
    assert [job.status for job in reserved] == ["done", "done", "failed"]
    assert "outside what this model makes" in reserved[2].error
    assert reserved[0].progress_step == reserved[0].progress_total > 0
    assert (usage_for(member).today, usage_for(other_member).today) == (1, 1)
    assert runner.ahead_of(str(reserved[0].pk)) is None


def gather_for(monkeypatch, lone_s: float, burst_s: float, longest_s: float) -> None:
    monkeypatch.setattr("kickgen.generators.local.GATHER_QUIET_S", lone_s)
    monkeypatch.setattr("kickgen.generators.local.GATHER_BURST_QUIET_S", burst_s)
    monkeypatch.setattr("kickgen.generators.local.GATHER_MAX_S", longest_s)


def assert_one_batch(generator, callers) -> None:
    for caller in callers:
        assert isinstance(caller.join(), bytes)
    assert generator.batches == [[1, 2, 3]]


def test_clicks_arriving_one_after_another_share_one_batch(generator, monkeypatch):
    """An idle model waits while requests keep arriving (each within the quiet window), so
    members clicking together are not split into a lone kick and the rest."""
    gather_for(monkeypatch, lone_s=1.0, burst_s=1.0, longest_s=5.0)
    callers = []
    for request in REQUESTS:
        callers.append(Caller(generator, request))
        time.sleep(0.05)
    assert_one_batch(generator, callers)


def test_once_two_clicks_wait_a_slower_third_still_joins_them(generator, monkeypatch):
    """A burst (two waiting) is waited for longer than a lone click would be."""
    gather_for(monkeypatch, lone_s=0.2, burst_s=3.0, longest_s=6.0)
    callers = [Caller(generator, request) for request in REQUESTS[:2]]  # together
    time.sleep(0.8)  # far past a lone click's quiet, well inside the burst's
    callers.append(Caller(generator, REQUESTS[2]))
    assert_one_batch(generator, callers)


def test_a_full_batch_starts_without_waiting(generator, monkeypatch):
    gather_for(monkeypatch, lone_s=30.0, burst_s=30.0, longest_s=30.0)
    generator.max_batch = len(REQUESTS)
    started = time.monotonic()
    callers = [Caller(generator, request) for request in REQUESTS]
    for caller in callers:
        assert isinstance(caller.join(), bytes)
    assert time.monotonic() - started < 15  # not the 30 s gathering window
    assert sorted(seed for batch in generator.batches for seed in batch) == [1, 2, 3]
