"""This process's job pool: bounded worker threads, the queue order behind "N ahead", and the
heartbeat that shows other processes its jobs are alive.

One pool per process (`get_runner`), built on first use. With the local backend it holds two
batches' worth of jobs, and the model generates the kicks of the jobs waiting for it together
(`kickgen.generators.local.LocalGenerator`). Each job is run by `kickgen.jobs.processing`;
changed places in line go out as `job_queued` signals.
"""

import logging
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from kickgen.generators.local import MAX_BATCH
from kickgen.jobs.processing import process_job
from kickgen.jobs.signals import job_queued
from kickgen.limits import ACTIVE
from kickgen.models import GenerationJob

logger = logging.getLogger(__name__)

HEARTBEAT_S = 15.0


def worker_id() -> str:
    """Who holds a job: "<host>:<pid>" (`kickgen.jobs.orphans` reads it back)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def default_parallel_jobs() -> int:
    if settings.KICKGEN_MAX_PARALLEL:
        return settings.KICKGEN_MAX_PARALLEL
    if settings.KICKGEN_BACKEND == "modal":
        return 8
    if settings.KICKGEN_BACKEND == "local":
        # Two batches' worth: the next batch gathers in the model's queue while one is denoised.
        return 2 * MAX_BATCH
    return max(1, (os.cpu_count() or 2) // 2)


def default_batch_size() -> int:
    """How many waiting jobs start together: the local model's batch; 1 for backends whose
    jobs start one by one as a worker frees up (Modal batches on its side, out of sight)."""
    return MAX_BATCH if settings.KICKGEN_BACKEND == "local" else 1


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
            process_job(job_id, self)
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
            job_queued.send(GenerationJob, user_id=user_id, job_id=job_id, ahead=ahead)

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


def active_job_ids() -> set[str]:
    """The jobs this process's pool holds; none, without building a pool, before its first job."""
    runner = _runner
    return set(runner.active_ids()) if runner is not None else set()


def submit(job: GenerationJob) -> None:
    """Queue a reserved job in this process, stamping it as ours for restart detection."""
    GenerationJob.objects.filter(pk=job.pk).update(worker=worker_id(), heartbeat_at=timezone.now())
    get_runner().submit(job)
