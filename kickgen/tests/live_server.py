"""Daphne processes serving the whole app for kickgen's live tests and benchmark.

Unlike the root conftest's one-per-session browser server, a cluster runs one or more daphne
processes over one database, optionally sharing channels-redis, with a chosen generator backend.
Static files come from the finders (no collectstatic). The pieces are kickwithreverb.live_server's.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen

import httpx
from kickwithreverb import live_server
from kickwithreverb.browser import MEMBER_PASSWORD

SETTINGS_MODULE = "kickgen_live_settings"


@dataclass
class LiveCluster:
    workdir: Path
    env: dict[str, str]
    urls: list[str] = field(default_factory=list)
    processes: list[Popen] = field(default_factory=list)

    def manage(self, *args: str) -> str:
        """Runs `manage.py <args>` against the cluster's database; returns its stdout."""
        return live_server.manage(self.env, *args).stdout

    def start(self, count: int) -> None:
        """Starts `count` more daphne processes and waits until each one serves."""
        started = []
        for _ in range(count):
            log_path = self.workdir / f"daphne-{len(self.processes)}.log"
            url, process = live_server.spawn_daphne(self.env, log_path)
            self.urls.append(url)
            self.processes.append(process)
            started.append((url, process, log_path))
        for url, process, log_path in started:
            live_server.wait_until_serving(url, process, log_path)

    def stop(self) -> None:
        live_server.stop(self.processes)


def make_cluster(
    workdir: Path, backend: str, redis_url: str = "", settings_lines: Iterable[str] = ()
) -> LiveCluster:
    """A migrated database in `workdir` and settings for `backend`; `start` runs the servers."""
    live_server.write_settings(
        workdir,
        [
            "ACCOUNT_RATE_LIMITS = False",
            f"KICKGEN_BACKEND = {backend!r}",
            "KICKGEN_BURST_RATE = '1000/m'",
            *settings_lines,
        ],
        module=SETTINGS_MODULE,
    )
    env = live_server.server_env(
        workdir, SETTINGS_MODULE, {"DATABASE_URL": "", "REDIS_URL": redis_url}
    )
    cluster = LiveCluster(workdir, env)
    cluster.manage("migrate", "--noinput", "-v0")
    return cluster


def form_token(client: httpx.Client, path: str) -> str:
    """The CSRF token of the form on `path` (allauth's pages, the DAW page's logout form)."""
    form = client.get(path).text
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)


def kick_socket(client: httpx.Client, url: str | None = None):  # -> websockets ClientConnection
    """The kick-gen WebSocket of `client`'s session, on `url` (default: the client's server)."""
    from websockets.sync.client import connect

    base = url or str(client.base_url).rstrip("/")
    cookies = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    return connect(
        base.replace("http://", "ws://") + "/ws/kickgen/",
        additional_headers={"Cookie": cookies, "Origin": base},
        open_timeout=10,
    )


def sign_in(url: str, username: str) -> httpx.Client:
    """A second session of an existing member (another device)."""
    client = httpx.Client(base_url=url, timeout=30)
    answer = client.post(
        "/accounts/login/",
        data={
            "csrfmiddlewaretoken": form_token(client, "/accounts/login/"),
            "login": username,
            "password": MEMBER_PASSWORD,
        },
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login failed ({answer.status_code}): {answer.text[:500]}")
    return client


class Member:
    """A signed-in member talking HTTP to one server (session cookie + CSRF token)."""

    def __init__(self, url: str, username: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
        answer = self.http.post(
            "/accounts/signup/",
            data={
                "csrfmiddlewaretoken": form_token(self.http, "/accounts/signup/"),
                "username": username,
                "email": f"{username}@example.org",
                "password1": MEMBER_PASSWORD,
                "password2": MEMBER_PASSWORD,
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
        return kick_socket(self.http, url or self.url)
