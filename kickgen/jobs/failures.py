"""How a job fails: the messages members read, the exception carrying one, and marking it failed.

Its own module because three parts end jobs failed: the processing of a job, the timeout around
its generator and the orphan sweep. Failed jobs count against no quota (`kickgen.limits`).
"""

import logging

from django.db import DatabaseError
from django.utils import timezone

from kickgen.jobs.signals import job_failed
from kickgen.limits import ACTIVE
from kickgen.models import GenerationJob

logger = logging.getLogger(__name__)

NOT_COUNTED = "No generation was used — please try again."
MSG_TIMEOUT = "The generator took longer than {seconds:g} s. " + NOT_COUNTED
MSG_GENERATOR = "The generator failed. " + NOT_COUNTED
MSG_BAD_AUDIO = "The generator returned an unusable kick. " + NOT_COUNTED
MSG_STORAGE = "Could not store the kick. " + NOT_COUNTED
MSG_DATABASE = "Could not save the kick. " + NOT_COUNTED
MSG_SOURCE = "Could not read the kick to vary. " + NOT_COUNTED
MSG_RESTART = "Generation was interrupted by a server restart. " + NOT_COUNTED


class JobFailure(Exception):
    """A job ends failed with `message` shown to the member."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def fail_job(job: GenerationJob, message: str) -> None:
    """Mark the job failed with `message` (unless it already ended) and tell its member."""
    try:
        GenerationJob.objects.filter(pk=job.pk, status__in=ACTIVE).update(
            status=GenerationJob.Status.FAILED, error=message[:300], finished_at=timezone.now()
        )
    except DatabaseError:
        # The row stays active; its heartbeat goes stale and the next sweep fails it.
        logger.exception("kickgen could not mark job %s failed", job.pk)
    job_failed.send(GenerationJob, user_id=job.user_id, job_id=str(job.pk), message=message)
