"""The "too many requests" answer, shared by allauth's limits and django-ratelimit."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .throttles import limited_action, retry_after_seconds

WHAT_BY_ACTION = {"login": "log-in attempts", "signup": "sign-ups"}


def _wait_in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    action = limited_action(request)
    retry_after = retry_after_seconds(request, action) if action else None
    context = {
        "what": WHAT_BY_ACTION.get(action, "requests"),
        "retry_after": retry_after,
        "retry_in_words": _wait_in_words(retry_after) if retry_after else "",
    }
    response = render(request, "429.html", context, status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
