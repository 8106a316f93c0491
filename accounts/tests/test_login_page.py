import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_offers_the_password_reset_once(client):
    html = client.get(reverse("account_login")).content.decode()
    assert html.count("Forgot your password?") == 1
    assert html.count(f'href="{reverse("account_reset_password")}"') == 1
