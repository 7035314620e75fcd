"""Operators in the back office: unlock, mark compromised, read-only security log."""

from __future__ import annotations

import pytest
from django.test import Client

from okpay.identity.models import (
    ApiToken,
    AuditEvent,
    Role,
    SecurityEvent,
    TokenKind,
    User,
    UserSession,
)
from okpay.identity.tests.fixtures import PASSWORD, Outbox, browser, kinds, make_user, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator() -> User:
    return make_user(
        "ops@example.com", display_name="Ops", role=Role.OPERATOR, is_staff=True, is_superuser=True
    )


def _admin(operator: User) -> Client:
    client = browser(ip="192.0.2.10")
    sign_in(client, email=operator.email)
    return client


def test_back_office_sign_in_goes_through_the_okpay_sign_in(operator: User) -> None:
    anonymous = browser().get("/admin/")
    login_page = browser().get("/admin/login/?next=/admin/")
    client = browser()
    signed_in = client.post(
        "/account/login/?next=/admin/", {"email": operator.email, "password": PASSWORD}
    )

    assert anonymous["Location"] == "/admin/login/?next=/admin/"
    assert login_page["Location"] == "/account/login/?next=%2Fadmin%2F"
    assert signed_in["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_customers_are_told_they_have_no_back_office_access(alice: User) -> None:
    client = browser()
    sign_in(client)

    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 403


def test_operator_unlocks_a_locked_account(operator: User, alice: User, outbox: Outbox) -> None:
    with outbox.capture():
        for _ in range(5):
            sign_in(browser(), password="Wrong-password-123")
    client = _admin(operator)

    response = client.post(
        "/admin/identity/user/",
        {"action": "unlock_accounts", "_selected_action": [alice.pk]},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.locked_until, alice.failed_login_count) == (None, 0)
    assert kinds(alice)[-1] == "account_unlocked"
    assert SecurityEvent.objects.filter(kind="account_unlocked").get().details == {
        "reason": "operator"
    }
    assert AuditEvent.objects.filter(action="identity.account_unlocked").get().actor == operator
    assert sign_in(browser()).status_code == 302


def test_marking_compromised_ends_sessions_revokes_tokens_and_forces_a_new_password(
    operator: User, alice: User, outbox: Outbox
) -> None:
    from okpay.identity.services import token_create

    victim = browser()
    sign_in(victim)
    token = token_create(name="t", kind=TokenKind.PERSONAL, user=alice).token
    client = _admin(operator)

    with outbox.capture():
        client.post(
            "/admin/identity/user/",
            {"action": "mark_compromised", "_selected_action": [alice.pk]},
        )

    alice.refresh_from_db()
    assert alice.must_change_password is True
    assert victim.get("/account/").status_code == 302
    assert UserSession.objects.get(user=alice).end_reason == "compromised"
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert outbox.subjects() == ["Action needed: set a new password for OKpay"]
    assert (
        AuditEvent.objects.filter(action="identity.account_marked_compromised").get().actor
        == operator
    )
    assert sign_in(browser())["Location"].startswith("/account/login/new-password/")


def test_security_events_are_read_only_in_the_back_office(operator: User, alice: User) -> None:
    sign_in(browser())
    client = _admin(operator)
    event = SecurityEvent.objects.filter(user=alice).first()
    assert event is not None

    listing = client.get("/admin/identity/securityevent/")
    change = client.post(f"/admin/identity/securityevent/{event.pk}/change/", {"kind": "x"})
    delete = client.post(f"/admin/identity/securityevent/{event.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert "alice@example.com" in listing.content.decode()
    assert change.status_code == 403
    assert delete.status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk, kind="login_succeeded").exists()
