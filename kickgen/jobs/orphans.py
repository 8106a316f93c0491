"""Failing the jobs no live process holds: those of a crashed or restarted process, and any
whose heartbeat went stale.

Apart from the pool because it also runs where no pool does: the `kickgen_fail_orphans`
command (the Procfile's release step), and every kickgen request or socket connect
(`sweep_orphans`), which looks at every process's jobs, not only this one's.
"""

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.db import DatabaseError
from django.utils import timezone

from kickgen.jobs.failures import MSG_RESTART, fail_job
from kickgen.jobs.runner import HEARTBEAT_S, active_job_ids
from kickgen.limits import ACTIVE
from kickgen.models import GenerationJob

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(seconds=90)


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
    live = active_job_ids()
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
        fail_job(job, MSG_RESTART)
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
