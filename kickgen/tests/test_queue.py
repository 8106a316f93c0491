"""The bounded pool: one job at a time here, the others told their place in the queue."""

import time

import pytest

from kickgen import events, fragments, jobs
from kickgen.limits import reserve_generation
from kickgen.models import GenerationJob

pytestmark = pytest.mark.django_db(transaction=True)


def test_waiting_jobs_see_how_many_are_ahead(member, other_member, scripted, monkeypatch):
    sent = []
    monkeypatch.setattr(
        events, "publish", lambda user_id, kind, **payload: sent.append((user_id, kind, payload))
    )
    monkeypatch.setattr(jobs, "publish", events.publish)
    scripted.release.clear()  # the first job holds the only worker until released
    runner = jobs.JobRunner(1)
    monkeypatch.setattr(jobs, "_runner", runner)
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
