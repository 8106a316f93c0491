"""Members' live job status: each job signal rendered as the fragments htmx swaps and sent to
the member's channel group.

The job runner (`kickgen.jobs`) only signals what happened; here that becomes HTML, so the
presentation depends on the runner and never the other way round. The receivers are connected
by `KickgenConfig.ready`.
"""

from typing import Any

from django.dispatch import receiver

from kickgen import fragments
from kickgen.events import publish
from kickgen.jobs.signals import job_done, job_failed, job_progress, job_queued, job_started
from kickgen.models import GeneratedKick


@receiver(job_queued, dispatch_uid="kickgen.live_status.queued")
def push_queued(sender: type, *, user_id: int, job_id: str, ahead: int, **kwargs: Any) -> None:
    html = fragments.status_html("queued", job_id=job_id, ahead=ahead)
    publish(user_id, "kick.queued", job_id=job_id, html=html)


@receiver(job_started, dispatch_uid="kickgen.live_status.started")
def push_started(
    sender: type, *, user_id: int, job_id: str, ahead: int | None, **kwargs: Any
) -> None:
    if ahead:
        html = fragments.status_html("queued", job_id=job_id, ahead=ahead)
    else:
        html = fragments.status_html("running", job_id=job_id)
    publish(user_id, "kick.started", job_id=job_id, html=html)


@receiver(job_progress, dispatch_uid="kickgen.live_status.progress")
def push_progress(
    sender: type, *, user_id: int, job_id: str, step: int, total: int, **kwargs: Any
) -> None:
    html = fragments.status_html("running", job_id=job_id, step=step, total=total)
    publish(user_id, "kick.progress", job_id=job_id, step=step, total=total, html=html)


@receiver(job_done, dispatch_uid="kickgen.live_status.done")
def push_done(
    sender: type, *, user_id: int, job_id: str, kick: GeneratedKick, **kwargs: Any
) -> None:
    html = fragments.done_html(kick, job_id)
    publish(user_id, "kick.done", job_id=job_id, kick_id=kick.pk, html=html)


@receiver(job_failed, dispatch_uid="kickgen.live_status.failed")
def push_failed(sender: type, *, user_id: int, job_id: str, message: str, **kwargs: Any) -> None:
    html = fragments.status_html("failed", job_id=job_id, message=message)
    publish(user_id, "kick.failed", job_id=job_id, html=html)
