import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

SIGNUP = reverse("account_signup")
GOOD = {
    "username": "techno_tina",
    "email": "tina@example.org",
    "password1": "four-on-the-floor",
    "password2": "four-on-the-floor",
}


def test_signup_page_is_a_plain_form_in_the_apps_layout(client):
    html = client.get(SIGNUP).content.decode()
    assert '<form method="post" action="/accounts/signup/"' in html
    assert 'class="auth-page"' in html
    for name in ("username", "email", "password1", "password2"):
        assert f'name="{name}"' in html


def test_signup_creates_the_member_and_logs_them_in(client):
    response = client.post(SIGNUP, GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = get_user_model().objects.get(username="techno_tina")
    assert user.email == "tina@example.org"
    assert user.check_password("four-on-the-floor")
    assert client.get("/").context["user"] == user


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": ""}, "email", "This field is required."),
        ({"username": ""}, "username", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"password1": "short1!", "password2": "short1!"}, "password1", "at least 8 characters"),
        ({"password1": "password123", "password2": "password123"}, "password1", "too common"),
        ({"password1": "83749201746", "password2": "83749201746"}, "password1", "entirely numeric"),
        ({"password2": "four-on-the-flor"}, "password2", "You must type the same password"),
    ],
)
def test_bad_signups_are_refused_with_a_message(client, changes, field, message):
    response = client.post(SIGNUP, {**GOOD, **changes})
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not get_user_model().objects.filter(username=GOOD["username"] or "x").exists()


def test_usernames_and_emails_are_unique(client, member):
    taken_name = client.post(SIGNUP, {**GOOD, "username": "mira"})
    assert "username" in taken_name.context["form"].errors
    taken_email = client.post(SIGNUP, {**GOOD, "email": "MIRA@example.org"})
    assert "email" in taken_email.context["form"].errors
    assert get_user_model().objects.filter(email__iexact="mira@example.org").count() == 1


def test_the_shared_presets_system_user_name_cannot_be_taken(client):
    response = client.post(SIGNUP, {**GOOD, "username": "shared-presets"})
    assert "username" in response.context["form"].errors
