"""AI Kick Gen mode's HTTP side: generate / vary, kick info, delete, download, resync.

Views are thin: forms validate, `limits.reserve_generation` reserves, `jobs.submit` queues,
`fragments` renders. htmx requests get fragments; plain form posts are redirected to the page.
"""

import logging
import uuid
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.core import is_ratelimited
from kickwithreverb.ids import parse_id

from kickgen import fragments, generators, jobs
from kickgen.events import bind_server_loop_from_sync_view
from kickgen.forms import GenerateForm, VaryForm
from kickgen.limits import LimitReached, reserve_generation
from kickgen.models import GeneratedKick, GenerationJob
from kickgen.storage import StorageUnavailable, get_kick_storage, storage_probe

logger = logging.getLogger(__name__)

MSG_TOO_FAST = "Too many generate clicks — wait a minute and try again."
MSG_NO_KICK = "Select one of your kicks first."
MSG_NO_STORAGE = (
    "Kicks cannot be saved right now (storage is unavailable). Nothing was used — try again "
    "in a few minutes."
)
MSG_DELETE_FAILED = "Could not delete the kick's file; nothing was deleted. Try again."


def member_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Members only (anonymous → login redirect), sweeping orphaned jobs first (`sweep_orphans`)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        jobs.sweep_orphans()
        return view(request, *args, **kwargs)

    return wrapper


def _page_or(request: HttpRequest, html: str, status: int = 200) -> HttpResponse:
    if request.htmx:
        return HttpResponse(html, status=status)
    return HttpResponseRedirect(reverse("daw"))


def vocabulary() -> list[str]:
    try:
        return generators.get_generator().vocabulary()
    except Exception:
        logger.exception("kickgen could not read the model's vocabulary")
        return []


def _start(request: HttpRequest, **job_fields: object) -> HttpResponse:
    """Rate-limit, reserve atomically, queue; answer with the job's status line at once."""
    if is_ratelimited(
        request,
        group="kickgen.generate",
        key="user",
        rate=settings.KICKGEN_BURST_RATE,
        method="POST",
        increment=True,
    ):
        return _page_or(request, fragments.status_html("refused", message=MSG_TOO_FAST), 429)
    if storage_probe.problem() is not None:
        return _page_or(request, fragments.status_html("refused", message=MSG_NO_STORAGE), 503)
    if job_fields["seed"] is None:
        job_fields["seed"] = jobs.new_seed()
    try:
        job, usage = reserve_generation(request.user, **job_fields)
    except LimitReached as refusal:
        html = fragments.status_html("refused", message=refusal.message)
        return _page_or(request, html, refusal.status)
    bind_server_loop_from_sync_view()
    jobs.submit(job)
    ahead = jobs.get_runner().ahead_of(str(job.pk))
    html = fragments.status_html("queued" if ahead else "running", job_id=str(job.pk), ahead=ahead)
    response = _page_or(request, html, 202 if request.htmx else 302)
    response["X-Kickgen-Job"] = str(job.pk)
    if usage.warning:
        response["X-Kickgen-Warning"] = usage.warning
    return response


@require_POST
@member_view
def generate(request: HttpRequest) -> HttpResponse:
    form = GenerateForm(request.POST, vocabulary=vocabulary())
    if not form.is_valid():
        return _page_or(request, fragments.status_html("refused", message=form.first_error()), 400)
    data = form.cleaned_data
    return _start(
        request,
        kind=GenerationJob.Kind.GENERATE,
        keywords=data["keywords"],
        note=data["note"],
        decay_ms=data["decay_ms"],
        punch=data["punch"],
        seed=data["seed"],
    )


@require_POST
@member_view
def vary(request: HttpRequest) -> HttpResponse:
    form = VaryForm(request.POST)
    if not form.is_valid():
        return _page_or(request, fragments.status_html("refused", message=MSG_NO_KICK), 400)
    source = get_object_or_404(GeneratedKick, pk=form.cleaned_data["kick"], user=request.user)
    return _start(
        request,
        kind=GenerationJob.Kind.VARY,
        keywords=source.keywords,
        note=source.note,
        decay_ms=source.decay_ms,
        punch=source.punch,
        source_kick=source,
        seed=form.cleaned_data["seed"],
    )


@require_safe
@member_view
def info(request: HttpRequest) -> HttpResponse:
    kick_id = request.GET.get("kick", "")
    kick = None
    if kick_id:
        kick = get_object_or_404(
            GeneratedKick.objects.select_related("varied_from"),
            pk=parse_id(kick_id) or 0,
            user=request.user,
        )
    return HttpResponse(fragments.info_html(kick))


@require_POST
@member_view
def delete_selected(request: HttpRequest) -> HttpResponse:
    """The bar's 🗑️: the kick selected in the bar's form."""
    kick_id = parse_id(request.POST.get("kick"))
    if kick_id is None:
        return _page_or(request, fragments.status_html("refused", message=MSG_NO_KICK), 400)
    return _delete(request, get_object_or_404(GeneratedKick, pk=kick_id, user=request.user))


@require_POST
@member_view
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    return _delete(request, get_object_or_404(GeneratedKick, pk=pk, user=request.user))


def _delete(request: HttpRequest, kick: GeneratedKick) -> HttpResponse:
    """Ask first when presets use the kick; on confirm delete file, presets and row."""
    preset_names = list(kick.presets_using().values_list("preset_name", flat=True))
    if preset_names and request.POST.get("confirm") != "1":
        return _page_or(request, fragments.dialog_html(kick, preset_names), 409)
    kicks = fragments.kicks_for(request.user)
    index = next((i for i, k in enumerate(kicks) if k.pk == kick.pk), None)
    if index is None:
        raise Http404("This kick was already deleted.")  # by another tab meanwhile
    remaining = kicks[:index] + kicks[index + 1 :]
    following = remaining[min(index, len(remaining) - 1)] if remaining else None
    try:
        kick.delete_with_presets(get_kick_storage())
    except StorageUnavailable:
        logger.exception("kickgen could not delete %s", kick.storage_path)
        return _page_or(request, fragments.status_html("refused", message=MSG_DELETE_FAILED), 502)
    html = (
        fragments.dialog_html()
        + fragments.kick_list_html(request.user, following, reason="deleted", oob=True)
        + fragments.as_oob(fragments.idle_status_html(request.user))
    )
    response = _page_or(request, html)
    response["HX-Trigger"] = "presetsChanged" if preset_names else "kickgenKickDeleted"
    return response


@require_safe
@member_view
def job_state(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """A job's state for a page whose socket is down (kickgen.js polls it while one runs)."""
    job = get_object_or_404(
        GenerationJob.objects.select_related("kick", "user"), pk=job_id, user=request.user
    )
    response = HttpResponse(fragments.job_state_html(job))
    response["X-Kickgen-Job"] = str(job.pk)
    return response


@require_safe
@member_view
def download(request: HttpRequest, pk: int) -> HttpResponse:
    kick = get_object_or_404(GeneratedKick, pk=pk, user=request.user)
    try:
        stored = get_kick_storage().open(kick.storage_path)
    except (StorageUnavailable, OSError):
        logger.exception("kickgen could not read %s", kick.storage_path)
        return HttpResponse("The kick's file could not be read. Try again.", status=502)
    filename = kick.name.replace("AI: ", "AI - ") + ".wav"
    return FileResponse(stored, as_attachment=True, filename=filename, content_type="audio/wav")
