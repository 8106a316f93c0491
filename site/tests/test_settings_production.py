"""Production configuration: refuses to start without a key, passes `check --deploy` clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONFIG_VARS = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "DB_NAME",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    # The browser tests' conftest sets this for the test process; a deployment never has it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    base["DJANGO_SETTINGS_MODULE"] = "kickwithreverb.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**base, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "kickwithreverb.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://kickwithreverb.example.org",
        "DATABASE_URL": "postgres://kwr:secret@db.example.org:6543/kwr",
        "REDIS_URL": "redis://127.0.0.1:6379/3",
    }


def test_check_deploy_reports_nothing_with_a_production_environment():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_debug_off_without_secret_key_refuses_to_start():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set." in result.stderr


def test_embedded_defaults_need_nothing_with_debug_on(tmp_path):
    result = manage("check", DEBUG="true", SQLITE_PATH=str(tmp_path / "db.sqlite3"))
    assert result.returncode == 0, result.stderr


def test_production_settings_are_hardened():
    script = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER,"
        " s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'],"
        " s.DATABASES['default']['CONN_MAX_AGE'], s.STORAGES['staticfiles']['BACKEND'],"
        " s.SECURE_REDIRECT_EXEMPT)"
    )
    result = manage("shell", "-c", script, **production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "True",  # port 6543 = Supabase's transaction pooler
        "0",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "['^health$']",  # platform health checks call plain HTTP
    ]
