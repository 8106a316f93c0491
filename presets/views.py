"""Presets bar actions: load, save (with an overwrite step), delete (with a confirm step).

htmx requests get the bar partial back (plus an HX-Trigger event for the page); the same forms
work without JavaScript: success redirects to the DAW page, a pending step or an error renders
the whole page with the bar in that state.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget
from kickwithreverb.ids import parse_id
from kickwithreverb.views import render_daw_page

from . import bar
from .forms import PresetForm
from .models import Preset

MSG_PRESET_GONE = "That preset no longer exists — it was deleted, maybe in another tab."


def _respond(
    request: HttpRequest, presets_bar: bar.PresetsBar, *, done: bool, trigger: dict | None = None
) -> HttpResponse:
    if request.htmx:
        response = render(request, "presets/_presets_bar.html", {"bar": presets_bar})
        if trigger:
            response["HX-Trigger"] = json.dumps(trigger)
        return response
    if done:
        if presets_bar.notice:
            messages.success(request, presets_bar.notice)
        return redirect("daw")
    return render_daw_page(request, presets_bar)


def _gone(request: HttpRequest) -> HttpResponse:
    """A preset that is not there (deleted in another tab, or never one the visitor may see):
    Http404, or for htmx the bar as it now stands, saying so, without leaving the page."""
    if not request.htmx:
        raise Http404("No such preset.")
    response = _respond(request, bar.build(request, notice=MSG_PRESET_GONE), done=False)
    response.status_code = 404
    return reswap(retarget(response, "#presets-bar"), "outerHTML")


@require_safe
def presets_bar(request: HttpRequest) -> HttpResponse:
    """The bar as it stands (used by Cancel buttons and to refresh after AI kicks change)."""
    return _respond(request, bar.build(request), done=True)


@require_safe
def load(request: HttpRequest) -> HttpResponse:
    """Members load shared and their own presets; guests browse and load the shared ones."""
    preset_id = parse_id(request.GET.get("preset"))
    visible = Preset.objects.visible_to(request.user)
    preset = visible.filter(pk=preset_id).first() if preset_id else None
    if preset is None:
        return _gone(request)
    bar.remember_current(request, preset)
    presets_bar = bar.build(request, loaded=True)
    return _respond(request, presets_bar, done=True, trigger={"presetLoaded": preset.values()})


@login_required
@require_POST
def save(request: HttpRequest) -> HttpResponse:
    form = PresetForm(request.POST, user=request.user)
    if not form.is_valid():
        return _respond(request, bar.build(request, form=form), done=False)
    name = form.cleaned_data["preset_name"]
    existing = Preset.objects.editable_by(request.user).filter(preset_name=name).first()
    if existing is not None and request.POST.get("overwrite") != existing.preset_name:
        return _respond(
            request, bar.build(request, form=form, confirm_overwrite=existing), done=False
        )
    if existing is not None:
        preset = form.save_as(existing)
        notice = f"Saved over “{preset.preset_name}”."
    else:
        try:
            with transaction.atomic():
                preset = form.save()
        except IntegrityError:
            # Another request created this name between the check and the insert.
            existing = Preset.objects.get(user=request.user, preset_name=name)
            return _respond(
                request, bar.build(request, form=form, confirm_overwrite=existing), done=False
            )
        notice = f"Saved “{preset.preset_name}”."
    bar.remember_current(request, preset)
    return _respond(
        request,
        bar.build(request, notice=notice),
        done=True,
        trigger={"presetSaved": {"id": preset.pk, "preset_name": preset.preset_name}},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes. Shared and other members' presets are 404."""
    preset = Preset.objects.editable_by(request.user).filter(pk=pk).first()
    if preset is None:
        return _gone(request)
    if request.method in ("GET", "HEAD"):
        return _respond(request, bar.build(request, confirm_delete=preset), done=False)
    was_current = request.session.get(bar.CURRENT_SESSION_KEY) == preset.pk
    name = preset.preset_name
    preset.delete()
    if was_current:
        bar.remember_current(request, None)
    return _respond(
        request,
        bar.build(request, notice=f"Deleted “{name}”."),
        done=True,
        trigger={"presetDeleted": {"id": pk, "preset_name": name}},
    )
