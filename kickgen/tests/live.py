"""What kickgen's live tests and benchmark drive real daphne processes with: clusters
(testsupport.live_server) generating with a chosen backend, and members speaking HTTP and the
kick-gen WebSocket to them.
"""

import re
from collections.abc import Iterable
from pathlib import Path

import httpx

from testsupport.browser import MEMBER_PASSWORD
from testsupport.live_server import LiveCluster, make_cluster


def kickgen_cluster(
    workdir: Path, backend: str, redis_url: str = "", settings_lines: Iterable[str] = ()
) -> LiveCluster:
    """A cluster generating with `backend`, sharing channels-redis when `redis_url` is given;
    `start` runs the servers."""
    return make_cluster(
        workdir,
        [
            "ACCOUNT_RATE_LIMITS = False",
            f"KICKGEN_BACKEND = {backend!r}",
            "KICKGEN_BURST_RATE = '1000/m'",
            *settings_lines,
        ],
        {"DATABASE_URL": "", "REDIS_URL": redis_url},
    )


def form_token(client: httpx.Client, path: str) -> str:
    """The CSRF token of the form on `path` (allauth's pages, the DAW page's logout form)."""
    form = client.get(path).text
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)


def post_form(client: httpx.Client, path: str, fields: dict[str, str], what: str) -> None:
    """Posts the form on `path` with its CSRF token; raises unless it redirects (success)."""
    answer = client.post(path, data={"csrfmiddlewaretoken": form_token(client, path), **fields})
    if answer.status_code != 302:
        raise RuntimeError(f"{what} failed ({answer.status_code}): {answer.text[:500]}")


def cookie_header(client: httpx.Client) -> str:
    """`client`'s session cookies as a Cookie header, for clients other than httpx."""
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def kick_socket(client: httpx.Client, url: str | None = None):  # -> websockets ClientConnection
    """The kick-gen WebSocket of `client`'s session, on `url` (default: the client's server)."""
    from websockets.sync.client import connect

    base = url or str(client.base_url).rstrip("/")
    return connect(
        base.replace("http://", "ws://") + "/ws/kickgen/",
        additional_headers={"Cookie": cookie_header(client), "Origin": base},
        open_timeout=10,
    )


def sign_in(url: str, username: str) -> httpx.Client:
    """A second session of an existing member (another device)."""
    client = httpx.Client(base_url=url, timeout=30)
    post_form(client, "/accounts/login/", {"login": username, "password": MEMBER_PASSWORD}, "login")
    return client


class Member:
    """A signed-in member talking HTTP to one server (session cookie + CSRF token)."""

    def __init__(self, url: str, username: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, follow_redirects=False, timeout=30)
        fields = {
            "username": username,
            "email": f"{username}@example.org",
            "password1": MEMBER_PASSWORD,
            "password2": MEMBER_PASSWORD,
        }
        post_form(self.http, "/accounts/signup/", fields, "sign-up")

    @property
    def cookie_header(self) -> str:
        return cookie_header(self.http)

    def generate(self, url: str | None = None, **data: str) -> httpx.Response:
        return self.http.post(
            f"{url or self.url}/kickgen/generate",
            data=data,
            headers={"HX-Request": "true", "X-CSRFToken": self.http.cookies["csrftoken"]},
        )

    def socket(self, url: str | None = None):  # -> websockets ClientConnection
        return kick_socket(self.http, url or self.url)
