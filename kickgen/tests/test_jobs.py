"""The job pipeline end to end on the filesystem backend, and each fault injected in turn."""

import os
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone

from kickgen import storage
from kickgen.jobs import failures, orphans, processing
from kickgen.limits import reserve_generation, usage_for
from kickgen.models import GeneratedKick, GenerationJob
from kickgen.tests.conftest import make_kick, stored_files
from kickgen.tests.doubles import kick_wav

pytestmark = pytest.mark.django_db


def new_job(user, **fields):
    job, _ = reserve_generation(user, seed=fields.pop("seed", 42), keywords="hit house", **fields)
    return job


def assert_failed_without_trace(job, member, settings, message):
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED
    assert job.error == message
    assert job.finished_at is not None
    assert GeneratedKick.objects.filter(user=member).count() == 0
    assert stored_files(settings) == []
    assert usage_for(member).today == 0
    assert usage_for(member).total == 0


def test_job_produces_a_named_kick_with_its_file(member, scripted, settings):
    job = new_job(member, note="F1", decay_ms=400, punch=0.7)
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE
    kick = job.kick
    assert kick.name.startswith("AI: ")
    assert (kick.keywords, kick.seed, kick.note, kick.decay_ms, kick.punch) == (
        "hit house",
        42,
        "F1",
        400,
        0.7,
    )
    assert job.progress_step == job.progress_total == 4
    assert kick.detected_note == "F1"
    assert abs(kick.detected_hz - 43.65) < 1.5
    assert stored_files(settings) == [kick.storage_path]
    assert kick.storage_path.startswith(f"{member.pk}/") and kick.storage_path.endswith(".wav")
    assert kick.audio_url == f"/media/generated-kicks/{kick.storage_path}"
    assert (settings.MEDIA_ROOT / "generated-kicks" / kick.storage_path).read_bytes() == kick_wav()
    assert scripted.requests[0].note == "F1"
    assert usage_for(member).today == 1


def test_generator_error_fails_the_job(member, scripted, settings):
    scripted.error = RuntimeError("CUDA out of memory")
    job = new_job(member)
    processing.process_job(str(job.pk))
    assert_failed_without_trace(job, member, settings, failures.MSG_GENERATOR)


def test_prompt_error_reaches_the_member(member, scripted, settings):
    from gpu.prompt import PromptError

    scripted.error = PromptError("Unknown keyword 'trance'; use: hit, house, deep.")
    job = new_job(member)
    processing.process_job(str(job.pk))
    assert_failed_without_trace(
        job, member, settings, "Unknown keyword 'trance'; use: hit, house, deep."
    )


def test_generator_timeout_fails_the_job(member, scripted, settings):
    settings.KICKGEN_TIMEOUT_S = 0.3
    scripted.delay = 5.0
    job = new_job(member)
    started = timezone.now()
    processing.process_job(str(job.pk))
    assert timezone.now() - started < timedelta(seconds=2)
    assert_failed_without_trace(job, member, settings, failures.MSG_TIMEOUT.format(seconds=0.3))


def test_unusable_audio_fails_the_job(member, scripted, settings):
    scripted.wav = b"RIFF\x00\x00\x00\x00WAVEjunk"
    job = new_job(member)
    processing.process_job(str(job.pk))
    assert_failed_without_trace(job, member, settings, failures.MSG_BAD_AUDIO)


def test_silent_audio_fails_the_job(member, scripted, settings):
    from gpu.audio.wav import to_wav_bytes

    scripted.wav = to_wav_bytes(__import__("numpy").zeros(88200, dtype="float32"))
    job = new_job(member)
    processing.process_job(str(job.pk))
    assert_failed_without_trace(job, member, settings, failures.MSG_BAD_AUDIO)


def test_storage_error_fails_the_job(member, scripted, settings, monkeypatch):
    def refuse(self, name, content):
        raise storage.StorageUnavailable("bucket is full")

    monkeypatch.setattr(storage.LocalKickStorage, "_save", refuse)
    job = new_job(member)
    processing.process_job(str(job.pk))
    assert_failed_without_trace(job, member, settings, failures.MSG_STORAGE)


def test_database_error_after_upload_removes_the_file(member, scripted, settings, monkeypatch):
    def broken_create(*args, **kwargs):
        raise DatabaseError("connection reset")

    monkeypatch.setattr(GeneratedKick.objects, "create", broken_create)
    job = new_job(member)
    processing.process_job(str(job.pk))
    assert_failed_without_trace(job, member, settings, failures.MSG_DATABASE)


def test_job_swept_while_running_keeps_no_kick(member, scripted, settings, monkeypatch):
    job = new_job(member)
    detect = processing._detect_note

    def swept_meanwhile(wav):
        GenerationJob.objects.filter(pk=job.pk).update(
            heartbeat_at=timezone.now() - timedelta(hours=1)
        )
        assert orphans.fail_orphaned_jobs() == 1
        return detect(wav)

    monkeypatch.setattr(processing, "_detect_note", swept_meanwhile)
    processing.process_job(str(job.pk))
    assert_failed_without_trace(job, member, settings, failures.MSG_RESTART)


def test_variation_reads_the_source_kick(member, scripted, settings):
    first = new_job(member)
    processing.process_job(str(first.pk))
    source = GeneratedKick.objects.get(user=member)
    job = new_job(member, kind=GenerationJob.Kind.VARY, source_kick=source, seed=9)
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE
    assert scripted.requests[1].source_wav == kick_wav()
    assert scripted.requests[1].is_variation
    assert job.kick.varied_from == source
    assert job.kick.name != source.name
    assert usage_for(member).today == 2


def test_variation_of_unreadable_kick_fails(member, scripted, settings):
    source = make_kick(member, "AI: Uwe")  # no file behind it
    job = new_job(member, kind=GenerationJob.Kind.VARY, source_kick=source)
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.error) == (GenerationJob.Status.FAILED, failures.MSG_SOURCE)
    assert scripted.requests == []


def test_thirty_kicks_never_repeat_a_name(member, scripted, settings):
    for _ in range(30):
        job = new_job(member, now=timezone.now() - timedelta(days=_ // 10))
        processing.process_job(str(job.pk))
    names = list(GeneratedKick.objects.filter(user=member).values_list("name", flat=True))
    assert len(names) == 30 == len(set(names))
    assert names == sorted(names)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_startup_sweep_fails_orphans_and_spares_live_jobs(member, other_member):
    host = socket.gethostname()
    crashed = new_job(member)
    GenerationJob.objects.filter(pk=crashed.pk).update(
        status=GenerationJob.Status.RUNNING, worker=f"{host}:{dead_pid()}"
    )
    stale = new_job(member)
    GenerationJob.objects.filter(pk=stale.pk).update(
        worker="other-host:1", heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    live_elsewhere = new_job(other_member)
    GenerationJob.objects.filter(pk=live_elsewhere.pk).update(worker="other-host:1")
    live_here = new_job(other_member)
    GenerationJob.objects.filter(pk=live_here.pk).update(worker=f"{host}:{os.getppid()}")

    assert orphans.fail_orphaned_jobs(at_startup=True) == 2

    for job, status in [
        (crashed, GenerationJob.Status.FAILED),
        (stale, GenerationJob.Status.FAILED),
        (live_elsewhere, GenerationJob.Status.PENDING),
        (live_here, GenerationJob.Status.PENDING),
    ]:
        job.refresh_from_db()
        assert job.status == status
    crashed.refresh_from_db()
    assert crashed.error == failures.MSG_RESTART
    assert usage_for(member).today == 0


def test_startup_sweep_fails_our_own_pid_from_a_previous_life(member):
    job = new_job(member)
    GenerationJob.objects.filter(pk=job.pk).update(worker=f"{socket.gethostname()}:{os.getpid()}")
    assert orphans.fail_orphaned_jobs(at_startup=False) == 0
    assert orphans.fail_orphaned_jobs(at_startup=True) == 1


def test_management_command_sweeps(member):
    from django.core.management import call_command

    job = new_job(member)
    GenerationJob.objects.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=10)
    )
    call_command("kickgen_fail_orphans")
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.FAILED


def test_media_root_given_as_a_string(member, scripted, settings):
    settings.MEDIA_ROOT = str(settings.MEDIA_ROOT)
    job = new_job(member)
    processing.process_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == GenerationJob.Status.DONE
    assert stored_files(settings) == [job.kick.storage_path]
