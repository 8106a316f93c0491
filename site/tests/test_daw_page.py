import json

import pytest

from kickgen.models import GeneratedKick
from presets.sound_contract import contract_json, init_values

pytestmark = pytest.mark.django_db


def json_script(html: str, element_id: str):
    start = html.index(f'<script id="{element_id}" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_guests_get_the_contract_and_the_init_sound(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert json_script(html, "sound-contract") == json.loads(json.dumps(contract_json()))
    assert response.context["initial_preset"] == init_values()
    assert [p.preset_name for p in response.context["bar"].shared] == ["Init"]
    assert response.context["bar"].own == []
    assert response.context["ai_kicks"] == []


def test_members_get_their_own_ai_kicks_alphabetically(member_client, member, other_member):
    for user, name in [(member, "AI: Ulrike"), (member, "AI: Anke"), (other_member, "AI: Otto")]:
        GeneratedKick.objects.create(
            user=user, name=name, audio_url="/media/x.wav", storage_path="x.wav", seed=1
        )
    response = member_client.get("/")
    assert [k.name for k in response.context["ai_kicks"]] == ["AI: Anke", "AI: Ulrike"]
    assert "AI: Otto" not in response.content.decode()


def test_page_is_get_only(client):
    assert client.post("/").status_code == 405


def test_filesystem_media_is_served_by_the_app(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "7").mkdir()
    (tmp_path / "7" / "kick.wav").write_bytes(b"RIFF....WAVE")
    response = client.get("/media/7/kick.wav")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"RIFF....WAVE"
    assert client.get("/media/7/missing.wav").status_code == 404
    assert client.get("/media/../settings.py").status_code in {400, 404}
