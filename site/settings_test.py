"""Test-suite settings: production settings (DEBUG off), a throwaway key, plain HTTP.

Postgres and Redis are used when DATABASE_URL / REDIS_URL are set (`.ci/test` sets them when the
local servers answer); otherwise the embedded defaults.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Serve static files straight from static/ (no collectstatic before tests), found per request.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not SQLite's shared-cache in-memory database: the latter's table locks fail at once
    # instead of waiting out the busy timeout, which threaded tests (the job pool) run into.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"kwr-test-{os.getpid()}.sqlite3")
    }
