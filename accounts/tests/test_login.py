import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
LOGOUT = reverse("account_logout")


def logged_in_user(client):
    return client.get("/").context["user"]


def test_login_page_is_a_plain_form_with_a_signup_link(client):
    html = client.get(LOGIN).content.decode()
    assert '<form method="post" action="/accounts/login/"' in html
    assert f'href="{reverse("account_signup")}"' in html
    assert "KICK WITH REVERB" in html


@pytest.mark.parametrize("login", ["mira", "mira@example.org", "MIRA@example.org"])
def test_login_by_username_or_email(client, member, login):
    response = client.post(LOGIN, {"login": login, "password": "kick-drum-42"})
    assert response.status_code == 302
    assert logged_in_user(client) == member


def test_wrong_password_is_refused_with_a_message(client, member):
    response = client.post(LOGIN, {"login": "mira", "password": "wrong-password"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert not logged_in_user(client).is_authenticated


def test_logout_is_post_only(client, member):
    client.force_login(member)
    page = client.get(LOGOUT)
    assert page.status_code == 200
    assert '<form method="post" action="/accounts/logout/"' in page.content.decode()
    assert logged_in_user(client) == member
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert not logged_in_user(client).is_authenticated


def test_no_flash_message_lingers_after_logout_and_login(client, member):
    client.post(LOGIN, {"login": "mira", "password": "kick-drum-42"})
    client.post(LOGOUT)
    client.post(LOGIN, {"login": "mira", "password": "kick-drum-42"})
    html = client.get("/").content.decode()
    assert "signed out" not in html
    assert "Successfully signed in" not in html


def test_guests_see_the_login_line_and_shared_presets_members_the_whole_bar(client, member):
    guest = client.get("/").content.decode()
    assert "Log in for AI kick generation and your own presets" in guest
    assert 'id="presets-bar"' in guest and 'name="preset_name"' not in guest
    client.force_login(member)
    html = client.get("/").content.decode()
    assert 'id="presets-bar"' in html and 'name="preset_name"' in html
    assert "Log in for AI kick generation" not in html
