"""Running generation jobs: a bounded pool per process, live events, failure handling, restarts.

A job row is created (and the quota reserved) by `kickgen.limits.reserve_generation`; `submit`
hands it to this process's pool. `process_job` runs it: generator (with a timeout) → WAV check →
storage upload → GeneratedKick row with a unique German name. Any failure marks the job failed
with a message the member reads; failed jobs count against no quota, and an uploaded file whose
row could not be saved is removed. Jobs orphaned by a crash are failed by `fail_orphaned_jobs`.
With the local backend the pool holds two batches' worth of jobs, and the model generates the
kicks of the jobs waiting for it together (`kickgen.generators.LocalGenerator`).
"""

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import DatabaseError, IntegrityError, close_old_connections, transaction
from django.db.models import F
from django.utils import timezone

from gpu.prompt import PromptError
from kickgen import fragments, generators
from kickgen.events import publish
from kickgen.generators import GenerationRequest
from kickgen.german_names import pick_kick_name
from kickgen.limits import ACTIVE
from kickgen.models import GeneratedKick, GenerationJob
from kickgen.storage import StorageUnavailable, get_kick_storage, kick_path

logger = logging.getLogger(__name__)

NOT_COUNTED = "No generation was used — please try again."
MSG_TIMEOUT = "The generator took longer than {seconds:g} s. " + NOT_COUNTED
MSG_GENERATOR = "The generator failed. " + NOT_COUNTED
MSG_BAD_AUDIO = "The generator returned an unusable kick. " + NOT_COUNTED
MSG_STORAGE = "Could not store the kick. " + NOT_COUNTED
MSG_DATABASE = "Could not save the kick. " + NOT_COUNTED
MSG_SOURCE = "Could not read the kick to vary. " + NOT_COUNTED
MSG_RESTART = "Generation was interrupted by a server restart. " + NOT_COUNTED

HEARTBEAT_S = 15.0
STALE_AFTER = timedelta(seconds=90)
PROGRESS_WRITE_S = 0.5
NAME_ATTEMPTS = 5
MAX_SEED = 2**31 - 1


class JobFailure(Exception):
    """A job ends failed with `message` shown to the member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class GenerationCancelled(Exception):
    """Raised into a timed-out generation at its next progress step, to free the CPU."""


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def new_seed() -> int:
    return random.SystemRandom().randrange(MAX_SEED)


def default_parallel_jobs() -> int:
    if settings.KICKGEN_MAX_PARALLEL:
        return settings.KICKGEN_MAX_PARALLEL
    if settings.KICKGEN_BACKEND == "modal":
        return 8
    if settings.KICKGEN_BACKEND == "local":
        # Two batches' worth: the next batch gathers in the model's queue while one is denoised.
        return 2 * generators.MAX_BATCH
    return max(1, (os.cpu_count() or 2) // 2)


def default_batch_size() -> int:
    """How many waiting jobs start together: the local model's batch; 1 for backends whose
    jobs start one by one as a worker frees up (Modal batches on its side, out of sight)."""
    return generators.MAX_BATCH if settings.KICKGEN_BACKEND == "local" else 1


class JobRunner:
    """This process's bounded pool, its queue order (for "N ahead") and the jobs' heartbeat.

    "N ahead" counts the kicks that will be generated before this job's starts. With
    `batch_size` 1 a job starts when a worker frees up, so it waits for the jobs before it in
    line. With a batching backend a job starts when its batch does: the jobs not yet
    generating (with or without a worker) form batches of `batch_size` in arrival order, each
    waiting for the batch being generated and the full batches before it.
    """

    def __init__(self, max_workers: int, batch_size: int = 1) -> None:
        self.max_workers = max_workers
        self.batch_size = batch_size
        self._executor = ThreadPoolExecutor(max_workers, thread_name_prefix="kickgen-job")
        self._lock = threading.Lock()
        self._waiting: list[tuple[str, int]] = []  # no worker yet, in arrival order
        self._running: set[str] = set()  # holding a worker
        self._ungenerated: list[tuple[str, int]] = []  # generation not started, arrival order
        self._generating: set[str] = set()
        self._announced: dict[str, int] = {}
        self._heartbeat = threading.Thread(target=self._beat, name="kickgen-heartbeat", daemon=True)
        self._heartbeat.start()

    def submit(self, job: GenerationJob) -> None:
        with self._lock:
            self._waiting.append((str(job.pk), job.user_id))
            self._ungenerated.append((str(job.pk), job.user_id))
        self._executor.submit(self._run, str(job.pk))
        self._announce_queue()

    def ahead_of(self, job_id: str) -> int | None:
        """How many kicks are generated before this job's starts; None if not waiting here."""
        with self._lock:
            return self._ahead_of(job_id)

    def _ahead_of(self, job_id: str) -> int | None:
        if self.batch_size > 1:
            for index, (waiting_id, _) in enumerate(self._ungenerated):
                if waiting_id == job_id:
                    return len(self._generating) + self.batch_size * (index // self.batch_size)
            return None
        for index, (waiting_id, _) in enumerate(self._waiting):
            if waiting_id == job_id:
                return max(0, index + len(self._running) - self.max_workers + 1)
        return None

    def active_ids(self) -> list[str]:
        with self._lock:
            return [job_id for job_id, _ in self._waiting] + list(self._running)

    def generation_started(self, job_id: str) -> None:
        """The generator began this job's kick (its first progress report).

        No announcement: the job's own progress event shows it, and batch-mates start one
        after another within a step, so places counted in between would flicker past members.
        The places behind a batch change when it ends (`generation_ended`)."""
        with self._lock:
            self._leave_queue(job_id)
            self._generating.add(job_id)

    def generation_ended(self, job_id: str) -> None:
        """The generator is done with this job (a kick, an error, or the job gave up).

        Batch-mates end together: the places behind them are announced once the last has."""
        with self._lock:
            self._leave_queue(job_id)
            self._generating.discard(job_id)
            batch_over = self.batch_size > 1 and not self._generating
        if batch_over:
            self._announce_queue()

    def _leave_queue(self, job_id: str) -> None:
        self._ungenerated = [entry for entry in self._ungenerated if entry[0] != job_id]
        self._announced.pop(job_id, None)

    def _run(self, job_id: str) -> None:
        with self._lock:
            self._waiting = [entry for entry in self._waiting if entry[0] != job_id]
            self._running.add(job_id)
        self._announce_queue()
        try:
            process_job(job_id)
        except Exception:
            # Only reachable when the database failed before the job could start or be failed:
            # the row stays active and the sweep fails it once its heartbeat is stale.
            logger.exception("kickgen job %s crashed", job_id)
        finally:
            with self._lock:
                self._running.discard(job_id)
                self._leave_queue(job_id)
                self._generating.discard(job_id)
            close_old_connections()

    def _announce_queue(self) -> None:
        """Tell each queued member their place when it changed (a new place of 0 is said by
        the job's start or first progress, which follow at once)."""
        changed = []
        with self._lock:
            for job_id, user_id in self._ungenerated if self.batch_size > 1 else self._waiting:
                ahead = self._ahead_of(job_id)
                if ahead is not None and ahead != self._announced.get(job_id, 0):
                    self._announced[job_id] = ahead
                    changed.append((job_id, user_id, ahead))
        for job_id, user_id, ahead in changed:
            publish(
                user_id,
                "kick.queued",
                job_id=job_id,
                html=fragments.status_html("queued", job_id=job_id, ahead=ahead),
            )

    def _beat(self) -> None:
        while True:
            time.sleep(HEARTBEAT_S)
            ids = self.active_ids()
            if not ids:
                continue
            try:
                GenerationJob.objects.filter(pk__in=ids, status__in=ACTIVE).update(
                    heartbeat_at=timezone.now()
                )
            except DatabaseError:
                logger.exception("kickgen heartbeat failed")
            finally:
                close_old_connections()


_runner: JobRunner | None = None
_runner_lock = threading.Lock()


def get_runner() -> JobRunner:
    global _runner
    with _runner_lock:
        if _runner is None:
            _runner = JobRunner(default_parallel_jobs(), default_batch_size())
        return _runner


def submit(job: GenerationJob) -> None:
    """Queue a reserved job in this process, stamping it as ours for restart detection."""
    GenerationJob.objects.filter(pk=job.pk).update(worker=worker_id(), heartbeat_at=timezone.now())
    get_runner().submit(job)


def _call_with_timeout(
    call: Callable[[threading.Event], bytes],
    seconds: float,
    on_wait: Callable[[], None],
) -> bytes:
    """Run `call` in its own thread; give up after `seconds` and tell it to stop.

    The waiting (job) thread calls `on_wait` about every PROGRESS_WRITE_S: the database stays on
    the job thread, the generator thread only computes and publishes.
    """
    outcome: dict[str, object] = {}
    finished = threading.Event()
    cancel = threading.Event()

    def target() -> None:
        try:
            outcome["value"] = call(cancel)
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc
        finally:
            finished.set()

    threading.Thread(target=target, name="kickgen-generate", daemon=True).start()
    deadline = time.monotonic() + seconds
    while not finished.wait(min(PROGRESS_WRITE_S, max(0.0, deadline - time.monotonic()))):
        if time.monotonic() >= deadline:
            cancel.set()
            raise JobFailure(MSG_TIMEOUT.format(seconds=seconds))
        on_wait()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


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
    return GenerationRequest(
        keywords=job.keywords,
        seed=job.seed,
        note=job.note,
        decay_ms=job.decay_ms,
        punch=job.punch,
        source_wav=source_wav,
    )


def _generate(job: GenerationJob, request: GenerationRequest) -> bytes:
    generator = generators.get_generator()
    latest = {"step": 0, "total": 0, "written": (0, 0)}
    reported = threading.Event()

    def run(cancel: threading.Event) -> bytes:
        def progress(step: int, total: int) -> None:
            if cancel.is_set():
                raise GenerationCancelled
            if not reported.is_set():
                reported.set()
                if _runner is not None:
                    _runner.generation_started(str(job.pk))
            latest["step"], latest["total"] = step, total
            publish(
                job.user_id,
                "kick.progress",
                job_id=str(job.pk),
                step=step,
                total=total,
                html=fragments.status_html("running", job_id=str(job.pk), step=step, total=total),
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
        wav = _call_with_timeout(run, settings.KICKGEN_TIMEOUT_S, record_progress)
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
        if _runner is not None:
            _runner.generation_ended(str(job.pk))


def _detect_note(wav: bytes) -> tuple[str, float | None]:
    """The kick's tail note (e.g. "F1") and frequency; raises JobFailure on unusable audio."""
    import numpy as np

    from gpu.descriptors import hz_to_note, tail_pitch_hz
    from gpu.wav import read_wav_bytes

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
                    keywords=job.keywords,
                    seed=job.seed,
                    note=job.note,
                    decay_ms=job.decay_ms,
                    punch=job.punch,
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


def _fail(job: GenerationJob, message: str) -> None:
    try:
        GenerationJob.objects.filter(pk=job.pk, status__in=ACTIVE).update(
            status=GenerationJob.Status.FAILED, error=message[:300], finished_at=timezone.now()
        )
    except DatabaseError:
        # The row stays active; its heartbeat goes stale and the next sweep fails it.
        logger.exception("kickgen could not mark job %s failed", job.pk)
    publish(
        job.user_id,
        "kick.failed",
        job_id=str(job.pk),
        html=fragments.status_html("failed", job_id=str(job.pk), message=message),
    )


def process_job(job_id: str) -> None:
    """Run one reserved job to done or failed, publishing each step to the member."""
    job = GenerationJob.objects.select_related("source_kick").get(pk=job_id)
    started = GenerationJob.objects.filter(pk=job.pk, status=GenerationJob.Status.PENDING).update(
        status=GenerationJob.Status.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not started:
        return
    job.status = GenerationJob.Status.RUNNING
    # With a batching backend a started job may still wait for the batch being generated.
    ahead = _runner.ahead_of(job_id) if _runner is not None else None
    publish(
        job.user_id,
        "kick.started",
        job_id=job_id,
        html=fragments.status_html("queued", job_id=job_id, ahead=ahead)
        if ahead
        else fragments.status_html("running", job_id=job_id),
    )
    storage = None
    stored_path = None
    try:
        storage = get_kick_storage()
        request = _request_for(job)
        wav = _generate(job, request)
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
        _fail(job, failure.message)
        return
    except Exception:
        logger.exception("kickgen job %s failed unexpectedly", job_id)
        if stored_path is not None:
            _remove_quietly(storage, stored_path)
        _fail(job, MSG_GENERATOR)
        return
    publish(
        job.user_id,
        "kick.done",
        job_id=job_id,
        kick_id=kick.pk,
        html=fragments.done_html(kick, job_id),
    )


def _remove_quietly(storage: Storage, path: str) -> None:
    try:
        storage.delete(path)
    except (StorageUnavailable, OSError):
        logger.exception("kickgen left an orphan file %s; remove it by hand", path)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_orphaned_jobs(at_startup: bool = False) -> int:
    """Fail active jobs no live process holds: ours from before a restart, or stale heartbeats.

    A job belongs to "<host>:<pid>". On this host a dead pid (or, at start-up, our own pid from a
    previous life) means it was orphaned; on any host a heartbeat older than STALE_AFTER does.
    """
    host, pid = socket.gethostname(), os.getpid()
    live = set(get_runner().active_ids()) if _runner is not None else set()
    orphaned = []
    stale_before = timezone.now() - STALE_AFTER
    for job in GenerationJob.objects.filter(status__in=ACTIVE).only(
        "pk", "user_id", "worker", "heartbeat_at"
    ):
        if str(job.pk) in live:
            continue
        job_host, _, job_pid = job.worker.rpartition(":")
        if job.heartbeat_at < stale_before or (
            job_host == host
            and job_pid.isdigit()
            and ((int(job_pid) == pid and at_startup) or not _process_alive(int(job_pid)))
        ):
            orphaned.append(job)
    for job in orphaned:
        _fail(job, MSG_RESTART)
    return len(orphaned)


_startup_swept = False
_last_sweep = float("-inf")
_startup_lock = threading.Lock()


def sweep_orphans() -> None:
    """Fail orphaned jobs on this process's first kickgen use (not at import: migrate), then at
    most every HEARTBEAT_S: a job whose process or thread died stops holding quota (and showing
    "Generating kick...") once its heartbeat is stale, not only after the next restart."""
    global _startup_swept, _last_sweep
    with _startup_lock:
        at_startup = not _startup_swept
        if not at_startup and time.monotonic() - _last_sweep < HEARTBEAT_S:
            return
        _startup_swept = True
        _last_sweep = time.monotonic()
    try:
        fail_orphaned_jobs(at_startup=at_startup)
    except DatabaseError:
        logger.exception("kickgen orphaned-job sweep failed")
