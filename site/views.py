"""Project-level views: the DAW page and the health endpoint."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from presets import bar
from presets.sound_contract import contract_json, init_values

from . import health as health_checks


def render_daw_page(
    request: HttpRequest, presets_bar: bar.PresetsBar | None = None, status: int = 200
) -> HttpResponse:
    """The whole DAW page; preset views reuse it to show a form step to visitors without JS."""
    presets_bar = presets_bar or bar.build(request)
    current = presets_bar.current
    initial_preset = current.values() if current else init_values()
    ai_kicks = list(request.user.generated_kicks.all()) if request.user.is_authenticated else []
    context = {
        "contract": contract_json(),
        "initial_preset": initial_preset,
        "bar": presets_bar,
        "ai_kicks": ai_kicks,
    }
    return render(request, "daw/page.html", context, status=status)


@require_safe
def daw_page(request: HttpRequest) -> HttpResponse:
    return render_daw_page(request)


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    checks = health_checks.run_checks()
    database_up = checks["database"]["ok"]
    status = "ok" if all(check["ok"] for check in checks.values()) else "degraded"
    if not database_up:
        status = "down"
    return JsonResponse({"status": status, "checks": checks}, status=200 if database_up else 503)


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponse:
    """Generated kicks stored on the filesystem (the embedded default; Supabase serves its own)."""
    return static.serve(request, path, document_root=settings.MEDIA_ROOT)
