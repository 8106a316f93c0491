"""How long a visitor over the login/sign-up limits must wait.

The limits themselves are allauth's (settings.ACCOUNT_RATE_LIMITS, kept in the default cache, so
they hold across processes when REDIS_URL is set). allauth only reports "limited"; this module
reads the same sliding-window history to say when the next attempt is allowed.
"""

import math
import time

from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.http import HttpRequest

ALLAUTH_ACCOUNT_APP = "allauth.account"
ACTION_BY_URL_NAME = {"account_login": "login", "account_signup": "signup"}


def limited_action(request: HttpRequest) -> str | None:
    match = request.resolver_match
    return ACTION_BY_URL_NAME.get(match.url_name) if match else None


def retry_after_seconds(request: HttpRequest, action: str) -> int | None:
    """Seconds until `action` is allowed again for this client, or None if it is not limited."""
    now = time.time()
    waits = []
    for rate in ratelimit.get_rates(app=ALLAUTH_ACCOUNT_APP, action=action):
        if rate.per != "ip":
            continue
        key = ratelimit.get_cache_key(request, app=ALLAUTH_ACCOUNT_APP, action=action, rate=rate)
        # Newest first; the attempt `amount` places back must leave the window before another fits.
        recent = [ts for ts in cache.get(key, []) if ts > now - rate.duration]
        if len(recent) >= rate.amount:
            waits.append(recent[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(max(waits))) if waits else None
