"""GET /health: each part's state; 503 only when the database is unreachable."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEALTH_IN_A_FRESH_PROCESS = """
import json, os, django
os.environ["DJANGO_SETTINGS_MODULE"] = "kickwithreverb.settings_test"
django.setup()
from django.test import Client
response = Client().get("/health")
print(json.dumps({"status": response.status_code, "body": json.loads(response.content)}))
"""


def health_with_env(tmp_path, **env) -> dict:
    """Run /health in a new process, so settings (database, Redis) come from `env`."""
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    base.update(ALLOWED_HOSTS="testserver", SQLITE_PATH=str(tmp_path / "health.sqlite3"))
    result = subprocess.run(
        [sys.executable, "-c", HEALTH_IN_A_FRESH_PROCESS],
        env={**base, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.django_db
def test_health_reports_every_part_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "storage"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"].startswith("max-age=0")


def test_unreachable_database_answers_503(tmp_path):
    result = health_with_env(tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:9/nowhere")
    assert result["status"] == 503
    database = result["body"]["checks"]["database"]
    assert result["body"]["status"] == "down"
    assert database == {"ok": False, "backend": "postgresql", "error": "OperationalError"}
    assert result["body"]["checks"]["storage"]["ok"] is True


def test_unreachable_redis_is_degraded_not_down(tmp_path):
    result = health_with_env(tmp_path, REDIS_URL="redis://127.0.0.1:9/0")
    assert result["status"] == 200
    checks = result["body"]["checks"]
    assert result["body"]["status"] == "degraded"
    assert checks["database"]["ok"] is True
    assert checks["cache"] == {
        "ok": False,
        "backend": "FallbackRedisCache",
        "error": "ConnectionError",
    }
    assert checks["channel_layer"]["ok"] is False
    assert checks["channel_layer"]["backend"] == "ProductionRedisChannelLayer"


class FakeStorage(BaseHTTPRequestHandler):
    """Answers Supabase Storage's `GET /storage/v1/bucket/<id>` like the real service."""

    buckets = {"generated-kicks"}
    seen_keys: list[str] = []

    def do_GET(self):
        self.seen_keys.append(self.headers.get("apikey", ""))
        bucket = self.path.rsplit("/", 1)[-1]
        if self.path.startswith("/storage/v1/bucket/") and bucket in self.buckets:
            status, body = 200, {"id": bucket, "name": bucket, "public": True}
        else:
            status, body = 404, {"statusCode": "404", "error": "Bucket not found"}
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def storage_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeStorage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_supabase_storage_bucket_is_checked(client, settings, storage_server):
    settings.SUPABASE_URL = storage_server
    settings.SUPABASE_SERVICE_KEY = "service-key"
    storage = client.get("/health").json()["checks"]["storage"]
    assert storage == {"ok": True, "backend": "supabase", "bucket": "generated-kicks"}
    assert FakeStorage.seen_keys[-1] == "service-key"
    settings.SUPABASE_BUCKET = "missing"
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["checks"]["storage"] == {
        "ok": False,
        "backend": "supabase",
        "error": "RuntimeError",
    }
    assert response.json()["status"] == "degraded"


@pytest.mark.django_db
def test_unwritable_media_root_fails_the_storage_check(client, settings, tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    media.chmod(0o500)
    settings.MEDIA_ROOT = media
    try:
        storage = client.get("/health").json()["checks"]["storage"]
    finally:
        media.chmod(0o700)
    if os.geteuid() == 0:
        # root writes anywhere: the check then correctly says ok.
        assert storage["ok"] is True
    else:
        assert storage == {"ok": False, "backend": "filesystem", "error": "PermissionError"}


@pytest.mark.django_db
def test_health_answers_plain_http_while_pages_redirect_to_https(client, settings):
    # The production values (test_settings_production checks settings.py sets them).
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^health$"]
    assert client.get("/").status_code == 301
    assert client.get("/health").status_code == 200
