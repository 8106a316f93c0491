"""Processing one job: generator (with a timeout) → WAV check → storage upload → GeneratedKick
with a unique German name.

Any failure marks the job failed with a message the member reads, and an uploaded file whose
row could not be saved is removed. The pool running the job is only the `Queue` it reports to,
so the pool (`kickgen.jobs.runner`) depends on this module and not the other way round.
"""

import logging
import random
import threading
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from gpu.prompt import PromptError
from kickgen.generators import backend
from kickgen.generators.protocol import GenerationRequest
from kickgen.german_names import pick_kick_name
from kickgen.jobs.failures import (
    MSG_BAD_AUDIO,
    MSG_DATABASE,
    MSG_GENERATOR,
    MSG_RESTART,
    MSG_SOURCE,
    MSG_STORAGE,
    JobFailure,
    fail_job,
)
from kickgen.jobs.signals import job_done, job_progress, job_started
from kickgen.jobs.timeouts import GenerationCancelled, call_with_timeout
from kickgen.models import GeneratedKick, GenerationJob
from kickgen.storage import StorageUnavailable, get_kick_storage, kick_path

logger = logging.getLogger(__name__)

NAME_ATTEMPTS = 5
MAX_SEED = 2**31 - 1


class Queue(Protocol):
    """The pool a job waited in: told when its generation starts and ends, so the places of the
    jobs behind it stay right."""

    def ahead_of(self, job_id: str) -> int | None: ...

    def generation_started(self, job_id: str) -> None: ...

    def generation_ended(self, job_id: str) -> None: ...


def new_seed() -> int:
    return random.SystemRandom().randrange(MAX_SEED)


def _request_for(job: GenerationJob) -> GenerationRequest:
    source_wav = None
    if job.kind == GenerationJob.Kind.VARY:
        if job.source_kick is None:
            raise JobFailure(MSG_SOURCE)
        try:
            with get_kick_storage().open(job.source_kick.storage_path) as stored:
                source_wav = stored.read()
        except (StorageUnavailable, OSError) as exc:
            raise JobFailure(MSG_SOURCE) from exc
    return GenerationRequest(**_what_was_asked(job), source_wav=source_wav)


def _what_was_asked(job: GenerationJob) -> dict[str, object]:
    """The job's ask: the generator's request carries it, and so does the kick it keeps."""
    return {
        "keywords": job.keywords,
        "seed": job.seed,
        "note": job.note,
        "decay_ms": job.decay_ms,
        "punch": job.punch,
    }


def _generate(job: GenerationJob, request: GenerationRequest, queue: Queue | None) -> bytes:
    generator = backend.get_generator()
    latest = {"step": 0, "total": 0, "written": (0, 0)}
    reported = threading.Event()

    def run(cancel: threading.Event) -> bytes:
        def progress(step: int, total: int) -> None:
            if cancel.is_set():
                raise GenerationCancelled
            if not reported.is_set():
                reported.set()
                if queue is not None:
                    queue.generation_started(str(job.pk))
            latest["step"], latest["total"] = step, total
            job_progress.send(
                GenerationJob, user_id=job.user_id, job_id=str(job.pk), step=step, total=total
            )

        return generator.generate(request, progress)

    def record_progress() -> None:
        current = (latest["step"], latest["total"])
        if current != latest["written"]:
            latest["written"] = current
            GenerationJob.objects.filter(pk=job.pk).update(
                progress_step=current[0], progress_total=current[1], heartbeat_at=timezone.now()
            )

    try:
        wav = call_with_timeout(run, settings.KICKGEN_TIMEOUT_S, record_progress)
        record_progress()
        return wav
    except JobFailure:
        raise
    except PromptError as exc:
        # Unknown keywords or a note/decay/punch outside the model's range: the member can act.
        raise JobFailure(str(exc)) from exc
    except Exception as exc:
        logger.exception("kickgen generator failed for job %s", job.pk)
        raise JobFailure(MSG_GENERATOR) from exc
    finally:
        if queue is not None:
            queue.generation_ended(str(job.pk))


def _detect_note(wav: bytes) -> tuple[str, float | None]:
    """The kick's tail note (e.g. "F1") and frequency; raises JobFailure on unusable audio."""
    import numpy as np

    from gpu.audio.descriptors import hz_to_note, tail_pitch_hz
    from gpu.audio.wav import read_wav_bytes

    try:
        audio, sample_rate = read_wav_bytes(wav)
    except ValueError as exc:
        raise JobFailure(MSG_BAD_AUDIO) from exc
    if audio.size == 0 or not np.all(np.isfinite(audio)) or float(np.max(np.abs(audio))) == 0.0:
        raise JobFailure(MSG_BAD_AUDIO)
    try:
        hz = tail_pitch_hz(audio, sample_rate)
        return hz_to_note(hz)[0], hz
    except ValueError:
        return "", None


def _save_kick(
    job: GenerationJob, path: str, url: str, note: str, hz: float | None
) -> GeneratedKick:
    """Create the kick with a free German name and mark the job done, in one transaction."""
    running = GenerationJob.objects.filter(pk=job.pk, status=GenerationJob.Status.RUNNING)
    for attempt in range(NAME_ATTEMPTS):
        try:
            with transaction.atomic():
                # Write first: it claims the job (a sweep may have failed it meanwhile) and, on
                # SQLite, takes the write lock before any read, so the transaction cannot be
                # refused with "database is locked" when it would upgrade a read lock.
                if not running.update(finished_at=timezone.now()):
                    raise JobFailure(MSG_RESTART)
                taken = set(
                    GeneratedKick.objects.filter(user_id=job.user_id).values_list("name", flat=True)
                )
                kick = GeneratedKick.objects.create(
                    user_id=job.user_id,
                    name=pick_kick_name(taken),
                    audio_url=url,
                    storage_path=path,
                    **_what_was_asked(job),
                    detected_note=note,
                    detected_hz=hz,
                    varied_from=job.source_kick,
                )
                running.update(
                    status=GenerationJob.Status.DONE, kick=kick, progress_step=F("progress_total")
                )
                return kick
        except IntegrityError:
            if attempt == NAME_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def process_job(job_id: str, queue: Queue | None = None) -> None:
    """Run one reserved job to done or failed, signalling each step; `queue` is the pool the job
    waited in, if any."""
    job = GenerationJob.objects.select_related("source_kick").get(pk=job_id)
    started = GenerationJob.objects.filter(pk=job.pk, status=GenerationJob.Status.PENDING).update(
        status=GenerationJob.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not started:
        return
    job.status = GenerationJob.Status.RUNNING
    # With a batching backend a started job may still wait for the batch being generated.
    ahead = queue.ahead_of(job_id) if queue is not None else None
    job_started.send(GenerationJob, user_id=job.user_id, job_id=job_id, ahead=ahead)
    storage = None
    stored_path = None
    try:
        storage = get_kick_storage()
        request = _request_for(job)
        wav = _generate(job, request, queue)
        note, hz = _detect_note(wav)
        try:
            stored_path = storage.save(kick_path(job.user_id), ContentFile(wav))
            url = storage.url(stored_path)
        except (StorageUnavailable, OSError) as exc:
            logger.exception("kickgen storage failed for job %s", job_id)
            raise JobFailure(MSG_STORAGE) from exc
        try:
            kick = _save_kick(job, stored_path, url, note, hz)
        except JobFailure:
            raise
        except Exception as exc:
            logger.exception("kickgen could not save the kick of job %s", job_id)
            raise JobFailure(MSG_DATABASE) from exc
    except JobFailure as failure:
        if stored_path is not None:
            _remove_quietly(storage, stored_path)
        fail_job(job, failure.message)
        return
    except Exception:
        logger.exception("kickgen job %s failed unexpectedly", job_id)
        if stored_path is not None:
            _remove_quietly(storage, stored_path)
        fail_job(job, MSG_GENERATOR)
        return
    job_done.send(GenerationJob, user_id=job.user_id, job_id=job_id, kick=kick)


def _remove_quietly(storage: Storage, path: str) -> None:
    try:
        storage.delete(path)
    except (StorageUnavailable, OSError):
        logger.exception("kickgen left an orphan file %s; remove it by hand", path)
