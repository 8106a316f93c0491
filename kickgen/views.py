"""AI Kick Gen mode's HTTP side: generate / vary, kick info, delete, download, resync.

Views are thin: forms validate, `limits.reserve_generation` reserves, `runner.submit` queues,
`fragments` renders. htmx requests get fragments; plain form posts are redirected to the page.
"""

import logging
import uuid
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import reswap, retarget
from django_ratelimit.core import is_ratelimited
from kickwithreverb.ids import parse_id

from kickgen import fragments
from kickgen.events import bind_server_loop_from_sync_view
from kickgen.forms import AskRanges, GenerateForm, VaryForm
from kickgen.generators import backend
from kickgen.generators.protocol import Generator
from kickgen.jobs import runner
from kickgen.jobs.orphans import sweep_orphans
from kickgen.jobs.processing import new_seed
from kickgen.limits import LimitReached, check_limits, reserve_generation, usage_for
from kickgen.models import GeneratedKick, GenerationJob
from kickgen.storage import StorageUnavailable, get_kick_storage, storage_probe

logger = logging.getLogger(__name__)
T = TypeVar("T")

MSG_TOO_FAST = "Too many generate clicks — wait a minute and try again."
MSG_NO_KICK = "Select one of your kicks first."
CLICK_PENDING = "pending"
CLICK_MEMORY_S = 10 * 60
MSG_KICK_GONE = "That kick no longer exists — it was deleted, maybe in another tab."
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
        sweep_orphans()
        return view(request, *args, **kwargs)

    return wrapper


def _page_or(request: HttpRequest, html: str, status: int = 200) -> HttpResponse:
    if request.htmx:
        return HttpResponse(html, status=status)
    return HttpResponseRedirect(reverse("daw"))


def _refuse(request: HttpRequest, message: str, status: int, extra_html: str = "") -> HttpResponse:
    """A refusal shown in the status line, wherever the request meant to swap.

    The status says what happened; HX-Retarget/HX-Reswap mark it as a designed answer, which
    static/js/refusals.js swaps in place (and keeps from django-htmx's DEBUG error page).
    """
    response = _page_or(request, fragments.status_html("refused", message=message) + extra_html)
    if request.htmx:
        response.status_code = status
        reswap(retarget(response, "#kickgen-status"), "outerHTML")
    return response


def _own_kick(request: HttpRequest, pk: object) -> GeneratedKick | None:
    kick_id = parse_id(str(pk))
    if kick_id is None:
        return None
    queryset = GeneratedKick.objects.select_related("varied_from")
    return queryset.filter(pk=kick_id, user=request.user).first()


def _kick_gone(request: HttpRequest) -> HttpResponse:
    """Not one of the member's kicks: Http404, or for htmx a 404 refusal that also refreshes the
    kick list (the usual cause is a kick deleted in another tab)."""
    if not request.htmx:
        raise Http404("No such kick.")
    refresh = fragments.kick_list_html(request.user, None, oob=True)
    return _refuse(request, MSG_KICK_GONE, 404, extra_html=refresh)


def _from_model(read: Callable[[Generator], T], fallback: T, what: str) -> T:
    """What the page needs of the model, or `fallback` (logged) when its weights cannot be read:
    the page still renders and the form still validates."""
    try:
        return read(backend.get_generator())
    except Exception:
        logger.exception("kickgen could not read the model's %s", what)
        return fallback


def vocabulary() -> list[str]:
    return _from_model(lambda model: model.vocabulary(), [], "vocabulary")


def ask_ranges() -> AskRanges:
    """The form's bounds narrowed to the model's (its own when the weights cannot be read)."""
    return _from_model(
        lambda model: AskRanges.of(model.descriptor_ranges()), AskRanges(), "descriptor ranges"
    )


def _click_key(request: HttpRequest, click_id: uuid.UUID | None) -> str | None:
    return f"kickgen.click:{request.user.pk}:{click_id}" if click_id else None


def _start(
    request: HttpRequest, click_id: uuid.UUID | None = None, **job_fields: object
) -> HttpResponse:
    """Rate-limit, reserve atomically, queue; answer with the job's status line at once.

    A repeat of a click already taken (a double click, an impatient second click, a resubmit)
    gets that click's answer again instead of a second job.
    """
    click_key = _click_key(request, click_id)
    if click_key and not cache.add(click_key, CLICK_PENDING, CLICK_MEMORY_S):
        return _repeated_click(request, cache.get(click_key))
    response = _start_once(request, **job_fields)
    if click_key:
        job_id = response.get("X-Kickgen-Job")
        if job_id:
            cache.set(click_key, job_id, CLICK_MEMORY_S)
        else:
            cache.delete(click_key)  # refused: the same click may be tried again
    return response


def _repeated_click(request: HttpRequest, claimed: str | None) -> HttpResponse:
    """`claimed`: the first request's job id, or CLICK_PENDING while it is still reserving."""
    job = None
    if claimed and claimed != CLICK_PENDING:
        job = GenerationJob.objects.filter(pk=claimed, user=request.user).first()
    html = fragments.job_state_html(job) if job else fragments.status_html("queued")
    response = _page_or(request, html, 202 if request.htmx else 302)
    if job:
        response["X-Kickgen-Job"] = str(job.pk)
    return response


def _start_once(request: HttpRequest, **job_fields: object) -> HttpResponse:
    try:
        # The quotas speak first: past the daily limit, "wait a minute" would mislead.
        check_limits(usage_for(request.user))
    except LimitReached as refusal:
        return _refuse(request, refusal.message, refusal.status)
    if is_ratelimited(
        request,
        group="kickgen.generate",
        key="user",
        rate=settings.KICKGEN_BURST_RATE,
        method="POST",
        increment=True,
    ):
        return _refuse(request, MSG_TOO_FAST, 429)
    if storage_probe.problem() is not None:
        return _refuse(request, MSG_NO_STORAGE, 503)
    if job_fields["seed"] is None:
        job_fields["seed"] = new_seed()
    try:
        job, usage = reserve_generation(request.user, **job_fields)
    except LimitReached as refusal:
        return _refuse(request, refusal.message, refusal.status)
    bind_server_loop_from_sync_view()
    runner.submit(job)
    ahead = runner.get_runner().ahead_of(str(job.pk))
    html = fragments.status_html("queued" if ahead else "running", job_id=str(job.pk), ahead=ahead)
    response = _page_or(request, html, 202 if request.htmx else 302)
    response["X-Kickgen-Job"] = str(job.pk)
    if usage.warning:
        response["X-Kickgen-Warning"] = usage.warning
    return response


@require_POST
@member_view
def generate(request: HttpRequest) -> HttpResponse:
    form = GenerateForm(request.POST, vocabulary=vocabulary(), ranges=ask_ranges())
    if not form.is_valid():
        return _refuse(request, form.first_error(), 422)
    data = form.cleaned_data
    return _start(
        request,
        kind=GenerationJob.Kind.GENERATE,
        keywords=data["keywords"],
        note=data["note"],
        decay_ms=data["decay_ms"],
        punch=data["punch"],
        seed=data["seed"],
        click_id=data["click_id"],
    )


@require_POST
@member_view
def vary(request: HttpRequest) -> HttpResponse:
    form = VaryForm(request.POST)
    if not form.is_valid():
        return _refuse(request, MSG_NO_KICK, 422)
    source = _own_kick(request, form.cleaned_data["kick"])
    if source is None:
        return _kick_gone(request)
    return _start(
        request,
        kind=GenerationJob.Kind.VARY,
        keywords=source.keywords,
        note=source.note,
        decay_ms=source.decay_ms,
        punch=source.punch,
        source_kick=source,
        seed=form.cleaned_data["seed"],
        click_id=form.cleaned_data["click_id"],
    )


@require_safe
@member_view
def info(request: HttpRequest) -> HttpResponse:
    kick_id = request.GET.get("kick", "")
    kick = None
    if kick_id:
        kick = _own_kick(request, kick_id)
        if kick is None:
            return _kick_gone(request)
    return HttpResponse(fragments.info_html(kick))


@require_POST
@member_view
def delete_selected(request: HttpRequest) -> HttpResponse:
    """The bar's delete button: the kick selected in the bar's form."""
    kick_id = request.POST.get("kick", "")
    if not kick_id:
        return _refuse(request, MSG_NO_KICK, 422)
    kick = _own_kick(request, kick_id)
    return _kick_gone(request) if kick is None else _delete(request, kick)


@require_POST
@member_view
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    kick = _own_kick(request, pk)
    return _kick_gone(request) if kick is None else _delete(request, kick)


def _delete(request: HttpRequest, kick: GeneratedKick) -> HttpResponse:
    """Ask first when presets use the kick; on confirm delete file, presets and row."""
    preset_names = list(kick.presets_using().values_list("preset_name", flat=True))
    if preset_names and request.POST.get("confirm") != "1":
        response = _page_or(request, fragments.dialog_html(kick, preset_names), 409)
        return reswap(retarget(response, "#kickgen-dialog"), "outerHTML")
    kicks = fragments.kicks_for(request.user)
    index = next((i for i, k in enumerate(kicks) if k.pk == kick.pk), None)
    if index is None:  # deleted by another tab meanwhile
        return _kick_gone(request)
    remaining = kicks[:index] + kicks[index + 1 :]
    following = remaining[min(index, len(remaining) - 1)] if remaining else None
    try:
        kick.delete_with_presets(get_kick_storage())
    except StorageUnavailable:
        logger.exception("kickgen could not delete %s", kick.storage_path)
        return _refuse(request, MSG_DELETE_FAILED, 502)
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
def job_state(request: HttpRequest, job_id: str) -> HttpResponse:
    """A job's state for a page whose socket is down (kickgen.js polls it while one runs)."""
    try:
        pk = uuid.UUID(job_id)
    except ValueError as exc:
        raise Http404("No such job.") from exc
    job = get_object_or_404(
        GenerationJob.objects.select_related("kick", "user"), pk=pk, user=request.user
    )
    response = HttpResponse(fragments.job_state_html(job))
    response["X-Kickgen-Job"] = str(job.pk)
    return response


@require_safe
@member_view
def download(request: HttpRequest, pk: int) -> HttpResponse:
    kick = _own_kick(request, pk)
    if kick is None:
        raise Http404("No such kick.")
    try:
        stored = get_kick_storage().open(kick.storage_path)
    except (StorageUnavailable, OSError):
        logger.exception("kickgen could not read %s", kick.storage_path)
        return HttpResponse("The kick's file could not be read. Try again.", status=502)
    filename = kick.name.replace("AI: ", "AI - ") + ".wav"
    return FileResponse(stored, as_attachment=True, filename=filename, content_type="audio/wav")
