"""HTTP side: generate/vary answers at once, refusals change nothing, IDOR, delete with presets."""

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from gpu.audio.descriptors import note_to_hz
from kickgen import fragments
from kickgen.jobs import failures, orphans, processing, runner
from kickgen.limits import reserve_generation, usage_for
from kickgen.models import GeneratedKick, GenerationJob
from kickgen.tests.conftest import make_kick, stored_files
from kickgen.tests.doubles import kick_wav
from presets.models import Preset, init_preset_defaults

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits(fresh_cache):
    """The burst limit lives in the cache: every test starts with a fresh budget."""


def generated_kick(member, settings):
    job, _ = reserve_generation(member, seed=8, keywords="hit house")
    processing.process_job(str(job.pk))
    return GeneratedKick.objects.get(pk=GenerationJob.objects.get(pk=job.pk).kick_id)


def wait_for(job_id, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = GenerationJob.objects.get(pk=job_id)
        if not job.is_active:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} still {job.status} after {timeout}s")


@pytest.mark.django_db
def test_guest_cannot_generate(client):
    response = client.post(reverse("kickgen:generate"), {"keywords": ["hit"]}, **HTMX)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert GenerationJob.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_generate_answers_at_once_then_the_job_finishes(member_client, member, scripted, settings):
    scripted.step_interval = 0.05
    response = member_client.post(
        reverse("kickgen:generate"),
        {"keywords": ["hit", "deep"], "note": "G1", "decay_ms": "350", "punch": "0.6"},
        **HTMX,
    )
    assert response.status_code == 202
    body = response.content.decode()
    assert 'id="kickgen-status"' in body
    assert "Generating kick..." in body or "Waiting for the generator" in body
    job = wait_for(response["X-Kickgen-Job"])
    assert job.status == GenerationJob.Status.DONE
    assert (job.keywords, job.note, job.decay_ms, job.punch) == ("hit deep", "G1", 350, 0.6)
    assert job.worker.endswith(f":{__import__('os').getpid()}")
    assert stored_files(settings) == [job.kick.storage_path]


@pytest.mark.django_db
def test_bad_input_is_refused_without_a_job(member_client, scripted):
    cases = [
        ({"keywords": ["trance"]}, "Keywords: Select a valid choice. trance"),
        ({"note": "H9"}, "Note: Select a valid choice."),
        ({"decay_ms": "5"}, "Decay (ms) can be 50–2000 with this model."),
        ({"punch": "2"}, "Punch can be 0–1 with this model."),
    ]
    for data, message in cases:
        response = member_client.post(reverse("kickgen:generate"), data, **HTMX)
        assert response.status_code == 422
        assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#kickgen-status", "outerHTML")
        assert message in response.content.decode()
    assert GenerationJob.objects.count() == 0


@pytest.mark.django_db
def test_a_keyword_repeated_is_asked_for_once(member_client, scripted, monkeypatch):
    """Repeats would overflow the 200-character keywords column (a 500 on PostgreSQL)."""
    monkeypatch.setattr(runner, "submit", lambda job: None)
    response = member_client.post(
        reverse("kickgen:generate"), {"keywords": ["house"] * 60 + ["hit"]}, **HTMX
    )
    assert response.status_code == 202
    assert GenerationJob.objects.get().keywords == "house hit"


@pytest.mark.django_db
def test_limit_refusal_shows_its_message(member_client, member, scripted):
    for i in range(30):
        make_kick(member, f"AI: K{i}")
    response = member_client.post(reverse("kickgen:generate"), {}, **HTMX)
    assert response.status_code == 409
    assert "Delete kicks to generate more (30/30)" in response.content.decode()
    assert GenerationJob.objects.count() == 0


@pytest.mark.django_db
def test_a_job_stuck_after_start_up_stops_holding_quota(
    member_client, member, scripted, monkeypatch
):
    """A job whose thread died long after the start-up sweep (its heartbeat stopped) is failed
    before the next reservation, so it does not hold the member's daily quota forever."""
    stale_for = orphans.STALE_AFTER + timedelta(minutes=1)
    monkeypatch.setattr(runner, "submit", lambda job: None)
    monkeypatch.setattr(orphans, "_last_sweep", time.monotonic() - 2 * runner.HEARTBEAT_S)
    held = [reserve_generation(member, seed=i, keywords="hit house")[0] for i in range(10)]
    GenerationJob.objects.filter(pk=held[0].pk).update(
        status=GenerationJob.Status.RUNNING,
        worker=runner.worker_id(),
        heartbeat_at=timezone.now() - stale_for,
    )
    response = member_client.post(reverse("kickgen:generate"), {}, **HTMX)
    assert response.status_code == 202
    held[0].refresh_from_db()
    assert (held[0].status, held[0].error) == (GenerationJob.Status.FAILED, failures.MSG_RESTART)
    assert usage_for(member).today == 10


@pytest.mark.django_db
def test_burst_throttle(member_client, scripted, settings, monkeypatch):
    settings.KICKGEN_BURST_RATE = "3/m"
    monkeypatch.setattr(runner, "submit", lambda job: None)
    answers = [
        member_client.post(reverse("kickgen:generate"), {}, **HTMX).status_code for _ in range(4)
    ]
    assert answers == [202, 202, 202, 429]
    assert GenerationJob.objects.count() == 3


@pytest.mark.django_db
def test_plain_form_post_redirects_to_the_page(member_client, scripted, monkeypatch):
    monkeypatch.setattr(runner, "submit", lambda job: None)
    response = member_client.post(reverse("kickgen:generate"), {"keywords": ["hit"]})
    assert response.status_code == 302 and response["Location"] == reverse("daw")
    assert GenerationJob.objects.count() == 1


@pytest.mark.django_db
def test_vary_reserves_a_generation_of_the_kick(member_client, member, scripted, monkeypatch):
    submitted = []
    monkeypatch.setattr(runner, "submit", submitted.append)
    source = make_kick(member, "AI: Uwe", keywords="hit deep", note="F1")
    response = member_client.post(reverse("kickgen:vary"), {"kick": source.pk}, **HTMX)
    assert response.status_code == 202
    job = submitted[0]
    assert (job.kind, job.source_kick, job.keywords, job.note) == ("vary", source, "hit deep", "F1")


@pytest.mark.django_db
def test_other_members_kicks_are_404(member_client, other_member, monkeypatch):
    monkeypatch.setattr(runner, "submit", lambda job: None)
    theirs = make_kick(other_member, "AI: Otto")
    answers = [
        member_client.post(reverse("kickgen:vary"), {"kick": theirs.pk}, **HTMX),
        member_client.get(reverse("kickgen:info"), {"kick": theirs.pk}, **HTMX),
        member_client.get(reverse("kickgen:download", args=[theirs.pk])),
        member_client.post(reverse("kickgen:delete", args=[theirs.pk]), {"confirm": "1"}, **HTMX),
        member_client.post(reverse("kickgen:delete_selected"), {"kick": theirs.pk}, **HTMX),
    ]
    assert [a.status_code for a in answers] == [404] * 5
    assert GeneratedKick.objects.filter(pk=theirs.pk).exists()
    assert GenerationJob.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["abc", "²", "١", "-1"])
def test_junk_kick_ids_are_refused_not_a_server_error(member_client, junk):
    """str.isdigit() accepts "²", which int() refuses: such ids must not reach the ORM."""
    info = member_client.get(reverse("kickgen:info"), {"kick": junk}, **HTMX)
    delete = member_client.post(reverse("kickgen:delete_selected"), {"kick": junk}, **HTMX)
    assert info.status_code == 404
    assert delete.status_code in (400, 404)


@pytest.mark.django_db
def test_deleting_a_kick_another_tab_just_deleted_is_404(member_client, member, monkeypatch):
    kick = make_kick(member, "AI: Uwe")
    make_kick(member, "AI: Karl")
    listing = fragments.kicks_for

    def other_tab_deletes_it_first(user):
        GeneratedKick.objects.filter(pk=kick.pk).delete()
        return listing(user)

    monkeypatch.setattr(fragments, "kicks_for", other_tab_deletes_it_first)
    response = member_client.post(reverse("kickgen:delete", args=[kick.pk]), **HTMX)
    assert response.status_code == 404
    assert list(GeneratedKick.objects.values_list("name", flat=True)) == ["AI: Karl"]


@pytest.mark.django_db
def test_info_and_download(member_client, member, scripted, settings):
    kick = generated_kick(member, settings)
    info = member_client.get(reverse("kickgen:info"), {"kick": kick.pk}, **HTMX).content.decode()
    assert 'id="kickgen-info"' in info
    assert "hit house" in info and "F1" in info and str(kick.seed) in info
    download = member_client.get(reverse("kickgen:download", args=[kick.pk]))
    assert download["Content-Type"] == "audio/wav"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == kick_wav()


@pytest.mark.django_db
def test_delete_asks_first_when_presets_use_the_kick(member_client, member, scripted, settings):
    kick = generated_kick(member, settings)
    second = make_kick(member, "AI: Zz")  # not a German name: the generated kick may be Zenzi
    for name in ("Peak Time", "Warm Up"):
        Preset.objects.create(
            user=member, preset_name=name, **{**init_preset_defaults(), "kick_sample": kick.name}
        )
    Preset.objects.create(user=member, preset_name="Other", **init_preset_defaults())

    asked = member_client.post(reverse("kickgen:delete_selected"), {"kick": kick.pk}, **HTMX)
    assert asked.status_code == 409
    text = asked.content.decode()
    assert "Deleting this kick will also delete these presets:" in text
    assert "<li>Peak Time</li>" in text and "<li>Warm Up</li>" in text
    assert GeneratedKick.objects.filter(pk=kick.pk).exists() and len(stored_files(settings)) == 1

    done = member_client.post(reverse("kickgen:delete", args=[kick.pk]), {"confirm": "1"}, **HTMX)
    assert done.status_code == 200
    assert done["HX-Trigger"] == "presetsChanged"
    assert not GeneratedKick.objects.filter(pk=kick.pk).exists()
    assert list(Preset.objects.filter(user=member).values_list("preset_name", flat=True)) == [
        "Other"
    ]
    assert stored_files(settings) == []
    html = done.content.decode()
    assert f'<option value="{second.pk}" data-name="AI: Zz"' in html
    assert 'data-reason="deleted"' in html and "selected" in html
    assert 'id="kick-select"' in html and kick.name not in html


@pytest.mark.django_db
def test_delete_without_presets_is_immediate(member_client, member, scripted, settings):
    kick = generated_kick(member, settings)
    response = member_client.post(reverse("kickgen:delete_selected"), {"kick": kick.pk}, **HTMX)
    assert response.status_code == 200
    assert not GeneratedKick.objects.exists()
    assert "Click Generate to make a new kick" in response.content.decode()


@pytest.mark.django_db
def test_delete_answer_marks_all_but_the_dialog_out_of_band(
    member_client, member, scripted, settings
):
    kick = generated_kick(member, None)
    html = member_client.post(
        reverse("kickgen:delete_selected"), {"kick": kick.pk}, **HTMX
    ).content.decode()
    assert '<div id="kickgen-dialog"' in html
    for element_id in (
        "kickgen-kicks",
        "kick-select",
        "kickgen-select",
        "kickgen-info",
        "kickgen-status",
    ):
        assert re.search(rf'<\w+ hx-swap-oob="true" id="{element_id}"', html), element_id
    assert html.count('hx-swap-oob="true"') == 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
@pytest.mark.parametrize("outage", ["supabase unreachable", "media root not a folder"])
def test_generate_is_refused_up_front_while_storage_is_down(
    member_client, member, scripted, settings, tmp_path, debug, outage
):
    settings.DEBUG = debug
    if outage == "supabase unreachable":
        settings.SUPABASE_URL = "http://127.0.0.1:9"
        settings.SUPABASE_SERVICE_KEY = "service-key"
    else:
        (tmp_path / "a-file").write_text("not a folder")
        settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    before = usage_for(member)
    response = member_client.post(reverse("kickgen:generate"), {"keywords": ["hit"]}, **HTMX)
    assert response.status_code == 503
    assert "storage is unavailable" in response.content.decode()
    assert 'data-state="refused"' in response.content.decode()
    assert GenerationJob.objects.count() == 0
    assert usage_for(member).today == before.today
    assert scripted.requests == []

    settings.SUPABASE_URL = ""  # storage back (a settings change forgets the probe's verdict)
    settings.MEDIA_ROOT = tmp_path / "media"
    answer = member_client.post(reverse("kickgen:generate"), {"keywords": ["hit"]}, **HTMX)
    assert answer.status_code == 202
    assert wait_for(answer["X-Kickgen-Job"]).status == GenerationJob.Status.DONE


@pytest.mark.django_db
def test_controls_offer_only_what_the_shipped_model_accepts(member_client, settings):
    """The bar's note, decay and punch bounds come from the weights' config, and the form holds
    to them with a producer's message (read without loading the model)."""
    from kickgen.generators.protocol import ranges_from_config

    settings.KICKGEN_BACKEND = "local"
    config = (Path(settings.KICKGEN_MODEL_PATH) / "config.json").read_text()
    model = ranges_from_config(config)
    page = member_client.get("/").content.decode()
    punch = re.search(r'name="punch" min="([\d.]+)" max="([\d.]+)"', page)
    assert float(punch.group(1)) >= model["punch"][0]
    assert float(punch.group(2)) <= model["punch"][1]
    assert model["punch"][1] - float(punch.group(2)) < 0.01
    decay = re.search(r'name="decay_ms" min="(\d+)" max="(\d+)"', page)
    assert int(decay.group(2)) <= model["decay_ms"][1] < int(decay.group(2)) + 1
    notes = re.findall(r'<option value="([A-G]#?\d)">', page)
    assert notes and all(
        model["tail_pitch_hz"][0] <= note_to_hz(note) <= model["tail_pitch_hz"][1] for note in notes
    )
    over = f"{float(punch.group(2)) + 0.01:.2f}"
    refused = member_client.post(reverse("kickgen:generate"), {"punch": over}, **HTMX)
    assert refused.status_code == 422
    assert f"Punch can be {float(punch.group(1)):g}–{float(punch.group(2)):g}" in (
        refused.content.decode()
    )
    assert GenerationJob.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_repeated_click_makes_one_job_and_a_new_click_another(member_client, scripted):
    click = "6f1c2b1e-3d7a-4a8e-9c1b-2f4e5d6a7b8c"
    first = member_client.post(reverse("kickgen:generate"), {"click_id": click}, **HTMX)
    again = member_client.post(reverse("kickgen:generate"), {"click_id": click}, **HTMX)
    assert (first.status_code, again.status_code) == (202, 202)
    assert again["X-Kickgen-Job"] == first["X-Kickgen-Job"]
    wait_for(first["X-Kickgen-Job"])
    other = member_client.post(
        reverse("kickgen:generate"), {"click_id": "0b8f7e6d-5c4b-4a39-8271-605f4e3d2c1b"}, **HTMX
    )
    assert other["X-Kickgen-Job"] != first["X-Kickgen-Job"]
    wait_for(other["X-Kickgen-Job"])
    assert GenerationJob.objects.count() == 2


@pytest.mark.django_db
def test_a_click_still_being_reserved_answers_without_a_second_job(member_client, member):
    from django.core.cache import cache

    from kickgen.views import CLICK_PENDING

    click = "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
    cache.set(f"kickgen.click:{member.pk}:{click}", CLICK_PENDING, 60)
    response = member_client.post(reverse("kickgen:generate"), {"click_id": click}, **HTMX)
    assert response.status_code == 202
    assert "X-Kickgen-Job" not in response
    assert GenerationJob.objects.count() == 0


@pytest.mark.django_db
def test_a_refused_click_may_be_tried_again(member_client, member, settings, tmp_path):
    click = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
    (tmp_path / "a-file").write_text("not a folder")
    settings.MEDIA_ROOT = tmp_path / "a-file" / "media"
    refused = member_client.post(reverse("kickgen:generate"), {"click_id": click}, **HTMX)
    assert refused.status_code == 503
    settings.MEDIA_ROOT = tmp_path / "media"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "submit", lambda job: None)  # reserved is enough here
        accepted = member_client.post(reverse("kickgen:generate"), {"click_id": click}, **HTMX)
    assert accepted.status_code == 202
    assert GenerationJob.objects.count() == 1
