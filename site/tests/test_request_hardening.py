"""Absurd input at the HTTP boundary: ids of any size, HEAD wherever GET works, oversized bodies.

In production settings (the suite's) and with DEBUG on, since DEBUG changes error pages."""

import tempfile
from pathlib import Path

import httpx
import pytest
from django.urls import reverse
from kickwithreverb.body_limit import BodySizeLimit
from kickwithreverb.ids import MAX_ID, parse_id

from kickgen.models import GeneratedKick, GenerationJob
from kickgen.tests.conftest import make_kick
from presets.models import Preset
from testsupport.live_server import run_in_own_loop, serve

HTMX = {"HTTP_HX_REQUEST": "true"}
HUGE = "9" * 5000  # past Python's 4,300-digit int() limit
OVER_BIGINT = str(MAX_ID + 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (str(MAX_ID), MAX_ID),
        ("0", None),
        (OVER_BIGINT, None),
        (HUGE, None),
        ("", None),
        (None, None),
        ("-1", None),
        ("1.0", None),
        ("²", None),
        ("١٢", None),
        (" 1", None),
    ],
)
def test_parse_id(text, expected):
    assert parse_id(text) == expected


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.django_db
@pytest.mark.parametrize("junk", [HUGE, OVER_BIGINT, "²"])
def test_absurd_ids_are_not_found_and_change_nothing(member_client, member, debug, junk):
    kick = make_kick(member, "AI: Uwe")
    presets_before = Preset.objects.count()
    answers = {
        "preset load": member_client.get(reverse("presets:load"), {"preset": junk}, **HTMX),
        "kick info": member_client.get(reverse("kickgen:info"), {"kick": junk}, **HTMX),
        "delete": member_client.post(reverse("kickgen:delete_selected"), {"kick": junk}, **HTMX),
        "vary": member_client.post(reverse("kickgen:vary"), {"kick": junk}, **HTMX),
        "download": member_client.get(f"/kickgen/kicks/{junk}/download"),
        "delete by path": member_client.post(f"/kickgen/kicks/{junk}/delete", **HTMX),
    }
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {
        "preset load": 404,
        "kick info": 404,
        "delete": 404,
        "vary": 422,
        "download": 404,
        "delete by path": 404,
    }
    assert "Select one of your kicks first." in answers["vary"].content.decode()
    assert list(GeneratedKick.objects.values_list("pk", flat=True)) == [kick.pk]
    assert GenerationJob.objects.count() == 0
    assert Preset.objects.count() == presets_before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "as_member"),
    [
        ("/", False),
        ("/", True),
        ("/health", False),
        ("/accounts/login/", False),
        ("/accounts/signup/", False),
        ("/presets/bar/", True),
        ("/kickgen/info", True),
    ],
)
def test_head_is_answered_wherever_get_is(client, member, path, as_member):
    if as_member:
        client.force_login(member)
    headers = HTMX if path.startswith(("/presets/", "/kickgen/")) else {}  # their fragments
    get = client.get(path, **headers)
    head = client.head(path, **headers)
    assert get.status_code == 200
    assert head.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]


def run_limited(app_body: list[dict], headers: list, max_bytes: int) -> tuple[list[dict], bytes]:
    """Runs BodySizeLimit over a recording app; returns what was sent and what the app read."""
    read = bytearray()

    async def app(scope, receive, send):
        while True:
            message = await receive()
            read.extend(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    sent: list[dict] = []
    incoming = iter(app_body)

    async def receive():
        return next(incoming)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers}
    run_in_own_loop(BodySizeLimit(app, max_bytes)(scope, receive, send))
    return sent, bytes(read)


def chunks(sizes: list[int]) -> list[dict]:
    return [
        {"type": "http.request", "body": b"x" * size, "more_body": index < len(sizes) - 1}
        for index, size in enumerate(sizes)
    ]


def test_a_declared_length_over_the_cap_is_refused_unread():
    sent, read = run_limited(chunks([2000]), [(b"content-length", b"2000")], max_bytes=1024)
    assert sent[0]["status"] == 413
    assert b"at most 1 KiB" in sent[1]["body"]
    assert read == b""


def test_a_chunked_body_is_refused_once_it_passes_the_cap():
    sent, read = run_limited(chunks([600, 600, 600]), [], max_bytes=1024)
    assert sent[0]["status"] == 413
    assert read == b""


@pytest.mark.parametrize(
    ("sizes", "headers"),
    [([500, 524], []), ([1024], [(b"content-length", b"1024")])],
    ids=["chunked", "declared"],
)
def test_bodies_up_to_the_cap_reach_the_app_whole(sizes, headers):
    sent, read = run_limited(chunks(sizes), headers, max_bytes=1024)
    assert sent[0]["status"] == 200
    assert read == b"x" * 1024


@pytest.mark.slow
def test_daphne_refuses_a_20_mb_upload_and_answers_head_without_a_body():
    with serve(Path(tempfile.mkdtemp(prefix="kwr-limits-"))) as server:
        client = httpx.Client(base_url=server.url, timeout=60)
        big = client.post("/kickgen/generate", files={"junk": ("junk.bin", b"\0" * 20_000_000)})
        assert big.status_code == 413
        assert "too large" in big.text

        def chunked():
            for _ in range(40):
                yield b"a" * 10_000

        streamed = client.post("/presets/save/", content=chunked())
        assert streamed.status_code == 413
        for path in ("/", "/health"):
            head = client.head(path)
            assert head.status_code == 200
            assert head.content == b""
        assert client.get("/health").json()["status"] == "ok"
