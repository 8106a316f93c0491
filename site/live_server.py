"""The whole app served by daphne in a subprocess, the way browser tests and measurements need it.

pytest-django's `live_server` is WSGI (no WebSockets), so the browser tests (root conftest.py)
and the page measurement (`python -m kickwithreverb.measure_page`) start a real daphne process
on a free port, over a file-based SQLite database migrated first, with static files collected
the way production serves them (WhiteNoise, hashed names, compressed copies).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    # The DAW plays without a click under test; real visitors start audio with a gesture.
    "--autoplay-policy=no-user-gesture-required",
]
START_TIMEOUT_S = 60
SETTINGS_MODULE = "kwr_live_server_settings"


@dataclass
class DaphneServer:
    """A running daphne process serving HTTP and WebSockets."""

    url: str
    workdir: Path
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen = field(repr=False)

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Runs `manage.py <args>` against the server's database and settings."""
        return subprocess.run(
            [sys.executable, str(REPO_ROOT / "manage.py"), *args],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
        )

    def shell(self, code: str) -> str:
        """Runs Python in a Django shell against the server's database; returns its stdout."""
        return self.manage("shell", "--no-imports", "-c", code).stdout

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_settings(workdir: Path, extra_lines: Iterable[str]) -> None:
    lines = [
        '"""Daphne settings for browser tests (written by kickwithreverb.live_server)."""',
        "from kickwithreverb.settings_test import *  # noqa: F403",
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3',",
        f"    'NAME': {str(workdir / 'db.sqlite3')!r}, 'OPTIONS': {{'timeout': 20}}}}}}",
        f"STATIC_ROOT = {str(workdir / 'static')!r}",
        f"MEDIA_ROOT = {str(workdir / 'media')!r}",
        "STORAGES = {**STORAGES, 'staticfiles': {'BACKEND': ",
        "    'whitenoise.storage.CompressedManifestStaticFilesStorage'}}",
        "WHITENOISE_USE_FINDERS = False",
        "WHITENOISE_AUTOREFRESH = False",
        "ALLOWED_HOSTS = ['127.0.0.1', 'localhost']",
        *extra_lines,
    ]
    (workdir / f"{SETTINGS_MODULE}.py").write_text("\n".join(lines) + "\n")


def _wait_until_serving(server: DaphneServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"daphne exited early:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=2) as response:
                if response.status in (200, 503):
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"daphne did not answer within {START_TIMEOUT_S} s:\n{server.log_tail()}")


@contextmanager
def serve(
    workdir: Path, settings_lines: Iterable[str] = (), env: Mapping[str, str] | None = None
) -> Iterator[DaphneServer]:
    """Migrates, collects static files and runs daphne in `workdir` until the block ends."""
    write_settings(workdir, settings_lines)
    full_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(workdir), os.environ.get("PYTHONPATH")])),
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DEBUG": "false",
        **(env or {}),
    }
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        manage = [sys.executable, str(REPO_ROOT / "manage.py"), *args]
        subprocess.run(manage, cwd=REPO_ROOT, env=full_env, check=True)
    port = free_port()
    log_path = workdir / "daphne.log"
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*daphne, "kickwithreverb.asgi:application"],
            cwd=REPO_ROOT,
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = DaphneServer(f"http://127.0.0.1:{port}", workdir, full_env, log_path, process)
    try:
        _wait_until_serving(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
