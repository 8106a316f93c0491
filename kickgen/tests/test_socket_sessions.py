"""A member's live socket ends with their session, on real daphne with real WebSocket clients:
logout closes that session's socket and no other, a password change or a deactivation closes
every socket of the member."""

import uuid

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from kickgen.consumer import CLOSE_SESSION_ENDED
from kickgen.tests.live import Member, form_token, kick_socket, sign_in
from kickgen.tests.test_production_redis import close_code, until_done
from testsupport.browser import MEMBER_PASSWORD
from testsupport.redis_server import REDIS_SERVER

pytestmark = pytest.mark.slow


@pytest.fixture
def server(paced_cluster):
    return paced_cluster(1)


def open_socket(url: str, client: httpx.Client):
    socket = kick_socket(client, url)
    socket.recv(timeout=10)  # the state on connect
    return socket


def test_logout_closes_the_sockets_of_that_session_only(server):
    url = server.urls[0]
    name = f"m{uuid.uuid4().hex[:10]}"
    member = Member(url, name)
    laptop = sign_in(url, name)
    on_phone = open_socket(url, member.http)
    on_laptop = open_socket(url, laptop)

    answer = member.http.post(
        "/accounts/logout/", data={"csrfmiddlewaretoken": form_token(member.http, "/")}
    )
    assert answer.status_code == 302
    assert close_code(on_phone, 5) == CLOSE_SESSION_ENDED
    # The laptop's session is still signed in: its socket still gets its generations.
    generated = laptop.post(
        "/kickgen/generate",
        data={"keywords": "hit"},
        headers={"HX-Request": "true", "X-CSRFToken": laptop.cookies["csrftoken"]},
    )
    assert generated.status_code == 202
    assert "AI: " in until_done(on_laptop)
    on_laptop.close()


def test_a_password_change_closes_every_socket_of_the_member(server):
    url = server.urls[0]
    name = f"m{uuid.uuid4().hex[:10]}"
    member = Member(url, name)
    thief = sign_in(url, name)
    thiefs_socket = open_socket(url, thief)
    owners_socket = open_socket(url, member.http)

    changed = member.http.post(
        "/accounts/password/change/",
        data={
            "csrfmiddlewaretoken": form_token(member.http, "/accounts/password/change/"),
            "oldpassword": MEMBER_PASSWORD,
            "password1": "a-new-kick-pattern-7",
            "password2": "a-new-kick-pattern-7",
        },
    )
    assert changed.status_code == 302, changed.text[:500]
    assert close_code(thiefs_socket, 5) == CLOSE_SESSION_ENDED
    assert thief.get("/kickgen/info", headers={"HX-Request": "true"}).status_code == 302
    with pytest.raises(InvalidStatus):
        open_socket(url, thief)
    # The changer's session got a new key (Django rotates it), so its old socket closes too;
    # its page reloads after the form anyway, and a new socket on the new key connects.
    assert close_code(owners_socket, 5) == CLOSE_SESSION_ENDED
    open_socket(url, member.http).close()


@pytest.mark.skipif(REDIS_SERVER is None, reason="needs Debian's redis-server binary")
def test_deactivating_a_member_closes_their_sockets(paced_cluster, redis_server):
    """The admin (here: a manage.py shell, another process) reaches the sockets over Redis."""
    cluster = paced_cluster(1, redis_server.url)
    url = cluster.urls[0]
    name = f"m{uuid.uuid4().hex[:10]}"
    member = Member(url, name)
    socket = open_socket(url, member.http)
    cluster.manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        f"user = get_user_model().objects.get(username={name!r})\n"
        "user.is_active = False\n"
        "user.save()\n",
    )
    assert close_code(socket, 10) == CLOSE_SESSION_ENDED
