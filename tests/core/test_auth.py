"""Login, lockout (django-axes) and password hashing (Argon2)."""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import override_settings
from django.urls import reverse

from tests import factories


@pytest.mark.smoke
def test_login_page_is_chinese_and_logs_in(client, tree):
    # given
    staff = factories.make_staff(tree["a"], "order_clerk")
    # when
    page = client.get(reverse("login"))
    resp = client.post(reverse("login"), {"username": staff.staff_no, "password": "pw-Secret-2026"})
    # then
    assert "登录" in page.content.decode()
    assert resp.status_code == 302 and resp["Location"] == reverse("home")


def test_anonymous_home_redirects_to_login(client, db):
    resp = client.get(reverse("home"))
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("login"))


def test_wrong_password_shows_error_in_chinese(client, tree):
    staff = factories.make_staff(tree["a"], "order_clerk")
    resp = client.post(reverse("login"), {"username": staff.staff_no, "password": "wrong"})
    assert resp.status_code == 200
    assert "请输入一个正确的" in resp.content.decode()


def test_brute_force_is_locked_out_even_with_the_right_password(client, tree, settings):
    # given five failures for the same username from the same address
    staff = factories.make_staff(tree["a"], "order_clerk")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": staff.staff_no, "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
    # when the right password is tried
    resp = client.post(
        reverse("login"), {"username": staff.staff_no, "password": "pw-Secret-2026"}, REMOTE_ADDR="10.0.0.9"
    )
    # then the account stays locked, with a Chinese explanation
    assert resp.status_code == 429
    assert "锁定" in resp.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_passwords_are_hashed_with_argon2():
    assert identify_hasher(make_password("secret-2026")).algorithm == "argon2"


def test_production_settings_hash_with_argon2():
    from servicecenter.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_language_switch_to_english(client, tree):
    staff = factories.make_staff(tree["a"], "order_clerk")
    client.force_login(staff.user)
    resp = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert resp.status_code == 302
    page = client.get(reverse("login"))  # any page renders in English now
    assert page.status_code in (200, 302)
    assert client.cookies["django_language"].value == "en"


@pytest.mark.clause("ORG-08")
def test_staff_number_logs_in_whatever_its_case(client, tree):
    staff = factories.make_staff(tree["a"], "order_clerk")
    resp = client.post(reverse("login"), {"username": staff.staff_no.lower(), "password": "pw-Secret-2026"})
    assert resp.status_code == 302 and client.session["_auth_user_id"] == str(staff.user_id)


def test_lockout_counts_both_cases_together(client, tree, settings):
    staff = factories.make_staff(tree["a"], "order_clerk")
    for i in range(settings.AXES_FAILURE_LIMIT):
        name = staff.staff_no.lower() if i % 2 else staff.staff_no
        client.post(reverse("login"), {"username": name, "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
    resp = client.post(
        reverse("login"), {"username": staff.staff_no, "password": "pw-Secret-2026"}, REMOTE_ADDR="10.0.0.7"
    )
    assert resp.status_code == 429
