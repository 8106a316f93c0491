"""The presets bar over HTTP: htmx swaps, the no-JS path, confirmation steps, other members."""

import json

import pytest
from django.urls import reverse

from presets.bar import CURRENT_SESSION_KEY
from presets.models import Preset
from presets.sound_contract import init_values

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LOAD = reverse("presets:load")
SAVE = reverse("presets:save")


def delete_url(preset):
    return reverse("presets:delete", args=[preset.pk])


def preset_values_script(html: str) -> dict:
    start = html.index('<script id="preset-values" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


# Loading


def test_htmx_load_swaps_the_bar_and_hands_the_values_to_the_page(
    member_client, member, make_preset
):
    preset = make_preset(member, "Deep", bpm=132, kick_tune=-3.5, reverb_sample="Club")
    response = member_client.get(LOAD, {"preset": preset.pk}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="presets-bar"')
    assert "<html" not in html
    trigger = json.loads(response["HX-Trigger"])
    assert trigger == {"presetLoaded": preset.values()}
    assert trigger["presetLoaded"]["kick_tune"] == -3.5
    assert preset_values_script(html) == preset.values()
    assert f'<option value="{preset.pk}" selected>Deep</option>' in html


def test_loading_a_shared_preset_works_and_it_offers_no_delete(member_client, init_preset):
    response = member_client.get(LOAD, {"preset": init_preset.pk}, **HTMX)
    assert json.loads(response["HX-Trigger"])["presetLoaded"] == init_values()
    assert "presets-bar__delete" not in response.content.decode()


def test_no_js_load_redirects_to_the_page_which_starts_from_that_preset(
    member_client, member, make_preset
):
    preset = make_preset(member, "Slow", bpm=90)
    response = member_client.get(LOAD, {"preset": preset.pk})
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = member_client.get("/")
    assert page.context["initial_preset"]["bpm"] == 90
    assert page.context["bar"].current == preset


@pytest.mark.parametrize("bad", ["", "abc", "-1", "1.5", "99999", "²", "١"])
def test_loading_junk_or_missing_ids_is_404(member_client, bad):
    assert member_client.get(LOAD, {"preset": bad}, **HTMX).status_code == 404


def test_loading_another_members_preset_is_404_and_reveals_nothing(
    member_client, other_member, make_preset
):
    theirs = make_preset(other_member, "Secret", bpm=200)
    response = member_client.get(LOAD, {"preset": theirs.pk}, **HTMX)
    assert response.status_code == 404
    assert "Secret" not in response.content.decode()
    assert CURRENT_SESSION_KEY not in member_client.session


def test_guests_browse_and_load_shared_presets_only(client, member, make_preset, init_preset):
    mine = make_preset(member, "Members Only")
    shared = make_preset(member, "Warehouse", is_shared=True, bpm=128)
    bar = client.get(reverse("presets:bar"), **HTMX)
    html = bar.content.decode()
    assert bar.status_code == 200
    assert "Warehouse" in html and "Members Only" not in html
    assert 'name="preset_name"' not in html  # no save form
    assert "log in</a> to save your own" in html
    loaded = client.get(LOAD, {"preset": shared.pk}, **HTMX)
    assert loaded.status_code == 200
    assert json.loads(loaded["HX-Trigger"])["presetLoaded"]["bpm"] == 128
    assert client.get("/").context["initial_preset"]["bpm"] == 128  # remembered in the session
    refused = client.get(LOAD, {"preset": mine.pk}, **HTMX)
    assert refused.status_code == 404
    assert "Members Only" not in refused.content.decode()


def test_prev_next_cycle_through_shared_then_own(member_client, member, make_preset, init_preset):
    alpha = make_preset(member, "Alpha")
    beta = make_preset(member, "Beta")
    order = [init_preset, alpha, beta]
    for index, preset in enumerate(order):
        bar = member_client.get(LOAD, {"preset": preset.pk}, **HTMX).context["bar"]
        assert bar.previous == order[index - 1]
        assert bar.next == order[(index + 1) % len(order)]


def test_next_link_loads_the_next_preset(member_client, member, make_preset, init_preset):
    alpha = make_preset(member, "Alpha")
    html = member_client.get("/").content.decode()
    assert f'href="{LOAD}?preset={alpha.pk}"' in html
    assert 'aria-label="Next preset"' in html


# Saving


def test_saving_a_new_name_creates_the_preset(member_client, member, preset_post):
    response = member_client.post(SAVE, preset_post("Warehouse Rave", bpm=145), **HTMX)
    assert response.status_code == 200
    preset = Preset.objects.get(user=member, preset_name="Warehouse Rave")
    assert preset.bpm == 145
    assert not preset.is_shared
    assert json.loads(response["HX-Trigger"]) == {
        "presetSaved": {"id": preset.pk, "preset_name": "Warehouse Rave"}
    }
    html = response.content.decode()
    assert "Saved “Warehouse Rave”." in html
    assert f'<option value="{preset.pk}" selected>Warehouse Rave</option>' in html
    assert 'id="preset-values"' not in html  # the page already has these values


def test_saving_an_existing_name_asks_before_overwriting(
    member_client, member, make_preset, preset_post
):
    existing = make_preset(member, "Deep", bpm=120)
    response = member_client.post(SAVE, preset_post("Deep", bpm=150), **HTMX)
    html = response.content.decode()
    assert "A preset named “Deep” exists. Overwrite it?" in html
    assert 'name="overwrite" value="Deep"' in html
    assert 'name="bpm" value="150"' in html
    existing.refresh_from_db()
    assert existing.bpm == 120
    assert "HX-Trigger" not in response


def test_confirmed_overwrite_updates_the_preset_in_place(
    member_client, member, make_preset, preset_post
):
    existing = make_preset(member, "Deep", bpm=120)
    body = {**preset_post("Deep", bpm=150, reverb_volume=-20), "overwrite": "Deep"}
    response = member_client.post(SAVE, body, **HTMX)
    assert "Saved over “Deep”." in response.content.decode()
    existing.refresh_from_db()
    assert (existing.bpm, existing.reverb_volume) == (150, -20)
    assert Preset.objects.filter(user=member).count() == 1


def test_overwrite_confirmation_for_another_name_does_not_overwrite(
    member_client, member, make_preset, preset_post
):
    existing = make_preset(member, "Deep", bpm=120)
    body = {**preset_post("Deep", bpm=150), "overwrite": "Other"}
    response = member_client.post(SAVE, body, **HTMX)
    assert "Overwrite it?" in response.content.decode()
    existing.refresh_from_db()
    assert existing.bpm == 120


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"bpm": "nan"}, "BPM: Enter a whole number."),
        ({"kick_len": "inf"}, "Kick length: Enter a number."),
        ({"noise_volume": "loud"}, "Noise volume: Enter a number."),
        ({"noise_volume": "0"}, "Noise volume: Ensure this value is less than or equal to -6."),
        ({"master_limiter_amt": "0.5"}, "Ensure this value is greater than or equal to 1."),
        ({"reverb_sample": "Space Station"}, "“Space Station” is not a stock impulse response."),
        ({"preset_name": "bad;name"}, "only letters, digits and spaces"),
    ],
)
def test_invalid_saves_show_the_message_and_save_nothing(
    member_client, member, preset_post, overrides, message
):
    body = {**preset_post("Broken"), **overrides}
    response = member_client.post(SAVE, body, **HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Preset.objects.filter(user=member).exists()
    assert "HX-Trigger" not in response


def test_a_missing_field_is_an_error_not_a_default(member_client, member, preset_post):
    body = preset_post("Partial")
    del body["kick_tune"]
    response = member_client.post(SAVE, body, **HTMX)
    assert "This field is required." in response.content.decode()
    assert not Preset.objects.filter(user=member).exists()


def test_is_shared_cannot_be_set_from_a_member_request(member_client, member, preset_post):
    member_client.post(SAVE, {**preset_post("Mine"), "is_shared": "true"}, **HTMX)
    assert Preset.objects.get(user=member, preset_name="Mine").is_shared is False


def test_shared_presets_cannot_be_overwritten(member_client, init_preset, preset_post):
    body = {**preset_post("Init", bpm=300), "overwrite": "Init"}
    response = member_client.post(SAVE, body, **HTMX)
    assert "is the name of a shared preset" in response.content.decode()
    init_preset.refresh_from_db()
    assert init_preset.bpm == 140


def test_saving_the_same_name_as_another_member_creates_my_own(
    member_client, member, other_member, make_preset, preset_post
):
    theirs = make_preset(other_member, "Deep", bpm=99)
    member_client.post(SAVE, preset_post("Deep", bpm=150), **HTMX)
    theirs.refresh_from_db()
    assert theirs.bpm == 99
    assert Preset.objects.get(user=member, preset_name="Deep").bpm == 150


def test_save_needs_post(member_client):
    assert member_client.get(SAVE).status_code == 405


def test_guests_cannot_save(client, preset_post):
    response = client.post(SAVE, preset_post("Guest"))
    assert response.status_code == 302
    assert not Preset.objects.filter(preset_name="Guest").exists()


def test_save_requires_the_csrf_token(member, preset_post):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(SAVE, preset_post("Forged")).status_code == 403
    assert not Preset.objects.filter(preset_name="Forged").exists()


def test_no_js_save_redirects_and_the_page_shows_the_notice(member_client, member, preset_post):
    response = member_client.post(SAVE, preset_post("Plain Form"))
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = member_client.get("/").content.decode()
    assert "Saved “Plain Form”." in page
    assert Preset.objects.filter(user=member, preset_name="Plain Form").exists()


def test_no_js_invalid_save_renders_the_whole_page_with_the_error(member_client, preset_post):
    response = member_client.post(SAVE, preset_post("Broken", bpm="999"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "BPM: Ensure this value is less than or equal to 365." in html


def test_no_js_overwrite_goes_through_the_confirm_page(
    member_client, member, make_preset, preset_post
):
    existing = make_preset(member, "Deep", bpm=120)
    step = member_client.post(SAVE, preset_post("Deep", bpm=150))
    assert step.status_code == 200
    assert "Overwrite it?" in step.content.decode()
    done = member_client.post(SAVE, {**preset_post("Deep", bpm=150), "overwrite": "Deep"})
    assert done.status_code == 302
    existing.refresh_from_db()
    assert existing.bpm == 150


# Deleting


def test_delete_asks_for_confirmation_first(member_client, member, make_preset):
    preset = make_preset(member, "Doomed")
    response = member_client.get(delete_url(preset), **HTMX)
    assert "Delete the preset “Doomed”?" in response.content.decode()
    assert Preset.objects.filter(pk=preset.pk).exists()


def test_confirmed_delete_removes_the_preset(member_client, member, make_preset):
    preset = make_preset(member, "Doomed")
    member_client.get(LOAD, {"preset": preset.pk}, **HTMX)
    response = member_client.post(delete_url(preset), **HTMX)
    assert response.status_code == 200
    assert not Preset.objects.filter(pk=preset.pk).exists()
    assert json.loads(response["HX-Trigger"]) == {
        "presetDeleted": {"id": preset.pk, "preset_name": "Doomed"}
    }
    html = response.content.decode()
    assert "Deleted “Doomed”." in html
    assert "— unsaved sound —" in html  # the deleted preset was current; the sound stays


def test_no_js_delete_redirects(member_client, member, make_preset):
    preset = make_preset(member, "Doomed")
    assert "<html" in member_client.get(delete_url(preset)).content.decode()
    response = member_client.post(delete_url(preset))
    assert response.status_code == 302
    assert not Preset.objects.filter(pk=preset.pk).exists()


def test_members_cannot_delete_others_presets(member_client, other_member, make_preset):
    theirs = make_preset(other_member, "Theirs")
    assert member_client.get(delete_url(theirs), **HTMX).status_code == 404
    assert member_client.post(delete_url(theirs), **HTMX).status_code == 404
    assert Preset.objects.filter(pk=theirs.pk).exists()


def test_shared_presets_cannot_be_deleted_by_members_even_staff(member_client, member, init_preset):
    member.is_staff = True
    member.save()
    assert member_client.post(delete_url(init_preset), **HTMX).status_code == 404
    assert Preset.objects.filter(pk=init_preset.pk).exists()


def test_guests_cannot_delete(client, member, make_preset):
    preset = make_preset(member, "Kept")
    assert client.post(delete_url(preset)).status_code == 302
    assert Preset.objects.filter(pk=preset.pk).exists()


# The bar itself


def test_bar_endpoint_returns_the_partial(member_client):
    response = member_client.get(reverse("presets:bar"), **HTMX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="presets-bar"')


def test_bar_save_form_carries_every_sound_field(member_client, init_preset):
    html = member_client.get(reverse("presets:bar"), **HTMX).content.decode()
    for field, value in init_preset.values().items():
        assert f'name="{field}" value="{value}" data-preset-field' in html
    assert "data-preset-values" in html
    assert 'name="is_shared"' not in html


def test_bar_query_count_is_one_query_whatever_the_number_of_presets(
    rf, member, make_preset, django_assert_num_queries
):
    from django.contrib.sessions.backends.cache import SessionStore

    from presets import bar

    for index in range(20):
        make_preset(member, f"Preset {index}")
    request = rf.get("/")
    request.user = member
    request.session = SessionStore()
    with django_assert_num_queries(1):
        built = bar.build(request)
    assert len(built.own) == 20


def test_bar_request_query_count_is_pinned(
    member_client, member, make_preset, django_assert_num_queries
):
    for index in range(20):
        make_preset(member, f"Preset {index}")
    # session + user + the presets list
    with django_assert_num_queries(3):
        response = member_client.get(reverse("presets:bar"), **HTMX)
    assert response.status_code == 200


def test_login_starts_from_init_and_logout_returns_to_init(
    client, member, make_preset, init_preset
):
    preset = make_preset(member, "Loud", bpm=180)
    client.post(reverse("account_login"), {"login": "mira", "password": "kick-drum-42"})
    assert client.get("/").context["initial_preset"] == init_values()
    client.get(LOAD, {"preset": preset.pk})
    assert client.get("/").context["initial_preset"]["bpm"] == 180
    client.post(reverse("account_logout"))
    assert client.get("/").context["initial_preset"] == init_values()
    client.post(reverse("account_login"), {"login": "mira", "password": "kick-drum-42"})
    page = client.get("/")
    assert page.context["initial_preset"] == init_values()
    assert page.context["bar"].current == init_preset
