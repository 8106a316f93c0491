import pytest
from django.urls import reverse

from presets.models import Preset

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "kick-drum-42")
    client.force_login(admin)
    return client


def test_changelist_filters_by_shared_and_searches_name_and_user(staff_client, member, make_preset):
    make_preset(member, "Dark Tunnel")
    url = reverse("admin:presets_preset_changelist")
    shared = staff_client.get(url, {"is_shared__exact": "1"}).content.decode()
    assert "Init" in shared and "Dark Tunnel" not in shared
    by_user = staff_client.get(url, {"q": "mira"}).content.decode()
    assert "Dark Tunnel" in by_user and ">Init<" not in by_user
    by_name = staff_client.get(url, {"q": "tunnel"}).content.decode()
    assert "Dark Tunnel" in by_name


def test_staff_can_edit_a_shared_preset_and_validation_still_applies(staff_client, init_preset):
    url = reverse("admin:presets_preset_change", args=[init_preset.pk])
    form = staff_client.get(url).context["adminform"].form
    body = {name: form[name].value() for name in form.fields}
    body = {k: ("" if v is None else v) for k, v in body.items()}
    body["is_shared"] = "on"
    bad = staff_client.post(url, {**body, "noise_low_pass_freq": "9000"})
    assert bad.status_code == 200
    init_preset.refresh_from_db()
    assert init_preset.noise_low_pass_freq == 7000
    good = staff_client.post(url, {**body, "bpm": "128"})
    assert good.status_code == 302
    init_preset.refresh_from_db()
    assert init_preset.bpm == 128 and init_preset.is_shared


def test_members_cannot_reach_the_admin(client, member):
    client.force_login(member)
    response = client.get(reverse("admin:presets_preset_changelist"))
    assert response.status_code == 302
    assert Preset.objects.count() == 1
