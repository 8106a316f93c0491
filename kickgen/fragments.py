"""The HTML fragments of AI Kick Gen mode, one per swappable element id.

Views return them to htmx; `kickgen.live_status` sends them through the channel layer, where the
htmx ws extension swaps every top-level element by its id. Each function renders one element.
"""

import json
import re
import time

from django.contrib.auth.models import AbstractBaseUser
from django.template.loader import render_to_string

from kickgen.jobs.runner import get_runner
from kickgen.limits import ACTIVE, usage_for
from kickgen.models import GeneratedKick, GenerationJob
from presets.sound_contract import contract_json

GENERATING = "Generating kick..."
_ROOT_TAG = re.compile(r"(<[a-zA-Z][\w-]*\b)")


def as_oob(fragment: str) -> str:
    """Mark a one-root fragment for an out-of-band swap (htmx swaps it by its id).

    Over the WebSocket every root element is swapped out of band anyway; in an HTTP answer
    every fragment but the one the request targets needs the mark.
    """
    return _ROOT_TAG.sub(r'\1 hx-swap-oob="true"', fragment, count=1)


def status_html(
    state: str,
    *,
    job_id: str = "",
    message: str = "",
    ahead: int | None = None,
    step: int = 0,
    total: int = 0,
) -> str:
    """#kickgen-status: idle (message = the "N left" warning), queued, running, failed, refused."""
    return render_to_string(
        "kickgen/_kickgen_status.html",
        {
            "state": state,
            "job_id": job_id,
            "message": message,
            "ahead": ahead,
            "step": step,
            "total": total,
            "generating": GENERATING,
            # Lets the page (and the latency benchmark) see how long a push took to arrive.
            "sent_ms": int(time.time() * 1000),
        },
    )


def idle_status_html(user: AbstractBaseUser) -> str:
    return status_html("idle", message=usage_for(user).warning)


def current_status_html(user: AbstractBaseUser) -> str:
    """The true state: the latest active job (queue place or progress), else idle."""
    job = GenerationJob.objects.filter(user=user, status__in=ACTIVE).order_by("created_at").last()
    if job is None:
        return idle_status_html(user)
    return _active_status_html(job)


def _active_status_html(job: GenerationJob) -> str:
    ahead = get_runner().ahead_of(str(job.pk))
    # A running job may still wait for the batch before its own (ahead > 0).
    if ahead or (job.status == GenerationJob.Status.PENDING and ahead is not None):
        return status_html("queued", job_id=str(job.pk), ahead=ahead)
    if job.status == GenerationJob.Status.PENDING:
        return status_html("queued", job_id=str(job.pk))
    return status_html(
        "running", job_id=str(job.pk), step=job.progress_step, total=job.progress_total
    )


def kicks_for(user: AbstractBaseUser) -> list[GeneratedKick]:
    """The member's AI kicks A–Z (the model's ordering)."""
    return list(GeneratedKick.objects.filter(user=user))


def kick_data(kicks: list[GeneratedKick]) -> str:
    return json.dumps([{"id": k.pk, "name": k.name, "url": k.audio_url} for k in kicks])


def select_html(
    kicks: list[GeneratedKick], selected: GeneratedKick | None, reason: str = "state"
) -> str:
    """#kickgen-select; `reason` ("generated", "deleted", "state") tells kickgen.js what to do."""
    return render_to_string(
        "kickgen/_kickgen_select.html", {"kicks": kicks, "selected": selected, "reason": reason}
    )


def page_kick_select_html(kicks: list[GeneratedKick]) -> str:
    """The DAW's own kick select (#kick-select, the page's partial): stock, then AI kicks A–Z."""
    return render_to_string(
        "daw/_kick_select.html", {"contract": contract_json(), "ai_kicks": kicks}
    )


def kicks_html(kicks: list[GeneratedKick]) -> str:
    return render_to_string("kickgen/_kickgen_kicks.html", {"kicks_json": kick_data(kicks)})


def info_html(kick: GeneratedKick | None) -> str:
    return render_to_string("kickgen/_kickgen_info.html", {"kick": kick})


def dialog_html(kick: GeneratedKick | None = None, preset_names: list[str] | None = None) -> str:
    return render_to_string(
        "kickgen/_kickgen_dialog.html", {"kick": kick, "preset_names": preset_names or []}
    )


def kick_list_html(
    user: AbstractBaseUser, selected: GeneratedKick | None, reason: str = "state", oob: bool = False
) -> str:
    """Everything that changes with the member's kicks: data, both selects, info."""
    kicks = kicks_for(user)
    parts = [
        kicks_html(kicks),
        page_kick_select_html(kicks),
        select_html(kicks, selected, reason),
        info_html(selected),
    ]
    return "".join(as_oob(part) if oob else part for part in parts)


def done_html(kick: GeneratedKick, job_id: str, oob: bool = False) -> str:
    """A finished generation: the status line back to idle and the new kick selected."""
    idle = status_html("idle", job_id=job_id, message=usage_for(kick.user).warning)
    return idle + kick_list_html(kick.user, kick, reason="generated", oob=oob)


def job_state_html(job: GenerationJob) -> str:
    """One job as a page that lost its socket asks for it: its status line (the request's
    target), and once it is done the new kick selected (out of band)."""
    if job.status in ACTIVE:
        return _active_status_html(job)
    if job.status == GenerationJob.Status.FAILED:
        return status_html("failed", job_id=str(job.pk), message=job.error)
    if job.kick is None:  # done, and the kick deleted since
        return status_html("idle", job_id=str(job.pk), message=usage_for(job.user).warning)
    return done_html(job.kick, str(job.pk), oob=True)
