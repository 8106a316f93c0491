"""Daphne processes serving the whole app for kickgen's live tests and benchmark.

Unlike the root conftest's one-per-session browser server, these start one or more daphne
processes over one database, optionally sharing channels-redis, with a chosen generator backend.
"""

import os
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "kick-with-reverb-42"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveCluster:
    workdir: Path
    env: dict[str, str]
    urls: list[str] = field(default_factory=list)
    processes: list[subprocess.Popen] = field(default_factory=list)

    def manage(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, str(REPO_ROOT / "manage.py"), *args],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def start(self, count: int) -> None:
        for index in range(count):
            port = free_port()
            log = (self.workdir / f"daphne-{index}.log").open("wb")
            self.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                     "kickwithreverb.asgi:application"],
                    cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                )
            )  # fmt: skip
            self.urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(self.urls, self.processes, strict=True):
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"daphne exited early: {self.logs()}")
                try:
                    urllib.request.urlopen(f"{url}/health", timeout=2)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"daphne did not start: {self.logs()}") from None
                    time.sleep(0.2)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in self.workdir.glob("*.log"))

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def make_cluster(workdir: Path, backend: str, redis_url: str = "", extra: str = "") -> LiveCluster:
    module = "kickgen_live_settings"
    (workdir / f"{module}.py").write_text(
        "from kickwithreverb.settings_test import *  # noqa: F403\n"
        f"DATABASES = {{'default': {{'ENGINE': 'django.db.backends.sqlite3', "
        f"'NAME': {str(workdir / 'db.sqlite3')!r}, 'OPTIONS': {{'timeout': 20}}}}}}\n"
        f"MEDIA_ROOT = {str(workdir / 'media')!r}\n"
        "ALLOWED_HOSTS = ['127.0.0.1', 'localhost']\n"
        "ACCOUNT_RATE_LIMITS = False\n"
        f"KICKGEN_BACKEND = {backend!r}\n"
        "KICKGEN_BURST_RATE = '1000/m'\n" + extra
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(workdir), os.environ.get("PYTHONPATH")])),
        "DJANGO_SETTINGS_MODULE": module,
        "DATABASE_URL": "",
        "REDIS_URL": redis_url,
    }
    cluster = LiveCluster(workdir, env)
    cluster.manage("migrate", "--noinput", "-v0")
    return cluster


class Member:
    """A signed-in member talking HTTP to one server (session cookie + CSRF token)."""

    def __init__(self, url: str, username: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
        form = self.http.get("/accounts/signup/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        answer = self.http.post(
            "/accounts/signup/",
            data={
                "csrfmiddlewaretoken": token,
                "username": username,
                "email": f"{username}@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
        if answer.status_code != 302:
            raise RuntimeError(f"sign-up failed ({answer.status_code}): {answer.text[:500]}")

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.http.cookies.items())

    def generate(self, url: str | None = None, **data: str) -> httpx.Response:
        return self.http.post(
            f"{url or self.url}/kickgen/generate",
            data=data,
            headers={"HX-Request": "true", "X-CSRFToken": self.http.cookies["csrftoken"]},
        )

    def socket(self, url: str | None = None):  # -> websockets ClientConnection
        from websockets.sync.client import connect

        base = url or self.url
        return connect(
            base.replace("http://", "ws://") + "/ws/kickgen/",
            additional_headers={"Cookie": self.cookie_header, "Origin": base},
            open_timeout=10,
        )
