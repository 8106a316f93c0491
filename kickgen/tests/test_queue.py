"""The bounded pool and its queue: each waiting member is told how many kicks come first."""

import time

import pytest

from kickgen import events, fragments, live_status
from kickgen.jobs.runner import JobRunner
from kickgen.limits import reserve_generation
from kickgen.models import GenerationJob

pytestmark = pytest.mark.django_db(transaction=True)


def test_waiting_jobs_see_how_many_are_ahead(member, other_member, scripted, monkeypatch):
    sent = []
    monkeypatch.setattr(
        events, "publish", lambda user_id, kind, **payload: sent.append((user_id, kind, payload))
    )
    monkeypatch.setattr(live_status, "publish", events.publish)
    scripted.release.clear()  # the first job holds the only worker until released
    runner = JobRunner(1)
    monkeypatch.setattr("kickgen.jobs.runner._runner", runner)
    try:
        check_queue(runner, member, other_member, scripted, sent)
    finally:
        scripted.release.set()
        wait_until_idle()


def wait_until_idle():
    deadline = time.monotonic() + 20
    while GenerationJob.objects.filter(status__in=("pending", "running")).exists():
        assert time.monotonic() < deadline, "jobs did not finish"
        time.sleep(0.05)


def check_queue(runner, member, other_member, scripted, sent):
    queued = []
    for user in (member, other_member, member):
        job, _ = reserve_generation(user, seed=1, keywords="hit house")
        runner.submit(job)
        queued.append(str(job.pk))
    deadline = time.monotonic() + 5
    while runner.ahead_of(queued[0]) is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [runner.ahead_of(job_id) for job_id in queued] == [None, 1, 2]
    html = fragments.current_status_html(member)  # the member's latest job is third in line
    assert "Waiting for the generator… 2 ahead" in html
    last_place = [p["html"] for u, k, p in sent if k == "kick.queued" and p["job_id"] == queued[2]]
    assert "2 ahead" in last_place[-1]

    scripted.release.set()
    wait_until_idle()
    assert set(GenerationJob.objects.values_list("status", flat=True)) == {"done"}
    places = [p["html"] for u, k, p in sent if k == "kick.queued" and p["job_id"] == queued[2]]
    assert "1 ahead" in places[-1]


def test_with_batches_a_place_counts_the_kicks_generated_before_yours_starts(
    member, other_member, scripted, monkeypatch
):
    """Batches of 2: the jobs not yet generating queue in pairs behind the batch being made."""
    sent = []
    monkeypatch.setattr(
        events, "publish", lambda user_id, kind, **payload: sent.append((user_id, kind, payload))
    )
    monkeypatch.setattr(live_status, "publish", events.publish)
    scripted.release.clear()  # every job holds a worker, none generates until released
    runner = JobRunner(4, batch_size=2)
    monkeypatch.setattr("kickgen.jobs.runner._runner", runner)
    try:
        queued = []
        for user in (member, other_member, member, other_member, member):
            job, _ = reserve_generation(user, seed=1, keywords="hit house")
            runner.submit(job)
            queued.append(str(job.pk))
        # The model is idle: the first two start together, the next two after them, …
        assert [runner.ahead_of(job_id) for job_id in queued] == [0, 0, 2, 2, 4]
        runner.generation_started(queued[0])
        runner.generation_started(queued[1])
        assert [runner.ahead_of(job_id) for job_id in queued] == [None, None, 2, 2, 4]
        html = fragments.current_status_html(member)  # the member's latest job is fifth
        assert "Waiting for the generator… 4 ahead" in html
        sent.clear()
        runner.generation_ended(queued[0])
        assert [k for u, k, p in sent] == []  # its batch-mate still runs: places unchanged
        runner.generation_ended(queued[1])
        assert [runner.ahead_of(job_id) for job_id in queued[2:]] == [0, 0, 2]
        places = {p["job_id"]: p["html"] for u, k, p in sent if k == "kick.queued"}
        assert "2 ahead" in places[queued[4]]
        assert "ahead" not in places[queued[2]]  # next in line: "Waiting for the generator…"
    finally:
        scripted.release.set()
        wait_until_idle()
    assert set(GenerationJob.objects.values_list("status", flat=True)) == {"done"}
    assert [runner.ahead_of(job_id) for job_id in queued] == [None] * 5


def test_a_job_started_behind_a_batch_says_it_waits(member, scripted, monkeypatch):
    sent = []
    monkeypatch.setattr(
        events, "publish", lambda user_id, kind, **payload: sent.append((user_id, kind, payload))
    )
    monkeypatch.setattr(live_status, "publish", events.publish)
    scripted.release.clear()
    runner = JobRunner(4, batch_size=8)
    monkeypatch.setattr("kickgen.jobs.runner._runner", runner)
    try:
        busy, _ = reserve_generation(member, seed=1, keywords="hit house")
        runner.submit(busy)
        runner.generation_started(str(busy.pk))  # its batch (of one) is being generated
        job, _ = reserve_generation(member, seed=2, keywords="hit house")
        runner.submit(job)
        deadline = time.monotonic() + 5
        while not [p for u, k, p in sent if k == "kick.started" and p["job_id"] == str(job.pk)]:
            assert time.monotonic() < deadline, "the job did not start"
            time.sleep(0.01)
    finally:
        scripted.release.set()
        wait_until_idle()
    started = [p["html"] for u, k, p in sent if k == "kick.started" and p["job_id"] == str(job.pk)]
    assert "Waiting for the generator… 1 ahead" in started[0]
    assert set(GenerationJob.objects.values_list("status", flat=True)) == {"done"}
