"""The customer auth API at /api/v1/auth: every flow, both kinds of credentials, permissions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from django.test import Client

from okpay.identity.client import NO_CLIENT
from okpay.identity.models import ApiToken, TokenKind, User, UserSession
from okpay.identity.services import personal_token_create, step_up_verify, token_create
from okpay.identity.tests.fixtures import (
    IP,
    NEW_PASSWORD,
    PASSWORD,
    Outbox,
    browser,
    enable_totp,
    make_user,
)

pytestmark = [pytest.mark.django_db]

T0 = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
BASE = "/api/v1/auth"
INVALID = {
    "error": {
        "code": "invalid_credentials",
        "message": (
            "The e-mail address or password is not correct. Check them and try again, or "
            "reset your password."
        ),
        "field": None,
    }
}


def post(client: Client, path: str, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(f"{BASE}{path}", body or {}, content_type="application/json", **extra)


def login(client: Client, email: str = "alice@example.com", password: str = PASSWORD) -> Any:
    return post(client, "/login", {"email": email, "password": password})


def bearer(user: User) -> str:
    holder = "token-setup"
    step_up_verify(user=user, holder=holder, client=NO_CLIENT, password=PASSWORD)
    issued = personal_token_create(
        user=user, name="test", expires_in_days=30, holder=holder, client=NO_CLIENT
    )
    return f"Bearer {issued.secret}"


def test_signup_answers_the_same_for_a_registered_address(outbox: Outbox) -> None:
    body = {"email": "carol@example.com", "password": PASSWORD, "display_name": "Carol"}
    with outbox.capture():
        first = post(browser(), "/signup", body)
        second = post(browser(), "/signup", body)

    assert first.status_code == second.status_code == 202
    assert first.json() == second.json() == {"status": "verification_sent"}
    assert User.objects.count() == 1
    assert len(outbox.messages) == 2


def test_signup_reports_every_password_problem(db: None) -> None:
    response = post(
        browser(),
        "/signup",
        {"email": "carol@example.com", "password": "abc", "display_name": "Carol"},
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "password_too_weak"
    assert error["field"] == "password"
    assert [r["code"] for r in error["details"]["reasons"]] == [
        "too_short",
        "needs_digit",
        "too_common",
    ]


def test_login_signs_in_with_a_session_cookie(alice: User) -> None:
    client = browser()

    response = login(client)

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "signed_in"
    assert body["user"]["email"] == "alice@example.com"
    assert body["user"]["two_factor_enabled"] is False
    assert body["csrf_token"]
    me = client.get(f"{BASE}/me")
    assert me.status_code == 200
    assert me.json()["id"] == alice.pk
    assert UserSession.objects.get(user=alice).session_key == client.cookies["sessionid"].value


def test_unknown_email_and_wrong_password_answer_identically(alice: User) -> None:
    known = login(browser(), password="Wrong-password-123")
    unknown = login(browser(), email="nobody@example.com", password="Wrong-password-123")

    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json() == INVALID


def test_the_fifth_failure_answers_423_with_the_lock_time(alice: User, outbox: Outbox) -> None:
    client = browser()
    with time_machine.travel(T0, tick=False), outbox.capture():
        fourth = [login(client, password="Wrong-password-123") for _ in range(4)][-1]
        fifth = login(client, password="Wrong-password-123")

    assert fourth.status_code == 401
    assert fifth.status_code == 423
    error = fifth.json()["error"]
    assert error["code"] == "account_locked"
    assert error["details"] == {"locked_until": "2030-03-01T08:30:00+00:00"}


def test_login_with_2fa_then_the_code(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        clock.shift(timedelta(seconds=30))
        client = browser()
        first = login(client)
        before = client.get(f"{BASE}/me")
        second = post(client, "/login/totp", {"code": totp.now()})

    assert first.json() == {"status": "totp_required", "user": None, "csrf_token": None}
    assert before.status_code == 401
    assert second.json()["status"] == "signed_in"


def test_unauthenticated_endpoints_accept_only_json(alice: User) -> None:
    # What a cross-site <form enctype="text/plain"> can send: JSON-looking text.
    response = browser().post(
        f"{BASE}/login",
        '{"email": "alice@example.com", "password": "Lantern-orbit-7-quiet"}',
        content_type="text/plain",
    )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "json_required"


def test_session_writes_need_the_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=IP)
    token = login(client).json()["csrf_token"]

    refused = post(client, "/sessions/end-others")
    accepted = post(client, "/sessions/end-others", HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert accepted.json() == {"ended": 0}


def test_a_personal_token_works_as_bearer(alice: User) -> None:
    authorization = bearer(alice)

    me = browser().get(f"{BASE}/me", HTTP_AUTHORIZATION=authorization)
    write = post(browser(), "/sessions/end-others", HTTP_AUTHORIZATION=authorization)

    assert me.status_code == 200
    assert me.json()["email"] == "alice@example.com"
    assert write.status_code == 200


def test_an_operator_token_is_not_a_customer_credential(alice: User) -> None:
    issued = token_create(name="ops", kind=TokenKind.OPERATOR)

    response = browser().get(f"{BASE}/me", HTTP_AUTHORIZATION=f"Bearer {issued.secret}")

    assert response.status_code == 401


def test_anonymous_requests_are_refused(db: None) -> None:
    for path in ["/me", "/sessions", "/tokens", "/security-log", "/2fa"]:
        response = browser().get(f"{BASE}{path}")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


def test_one_user_cannot_see_or_end_another_users_sessions(alice: User, bob: User) -> None:
    mine, theirs = browser(), browser()
    login(mine)
    login(theirs, email="bob@example.com")
    bob_row = UserSession.objects.get(user=bob)

    listed = mine.get(f"{BASE}/sessions").json()
    refused = mine.delete(f"{BASE}/sessions/{bob_row.pk}")

    assert [s["id"] for s in listed] == [UserSession.objects.get(user=alice).pk]
    assert listed[0]["current"] is True
    assert refused.status_code == 404
    bob_row.refresh_from_db()
    assert bob_row.ended_at is None


def test_one_user_cannot_see_or_revoke_another_users_tokens(alice: User, bob: User) -> None:
    bobs = bearer(bob)
    bob_token = ApiToken.objects.get(user=bob)
    alices = bearer(alice)

    listed = browser().get(f"{BASE}/tokens", HTTP_AUTHORIZATION=alices).json()
    refused = browser().delete(f"{BASE}/tokens/{bob_token.pk}", HTTP_AUTHORIZATION=alices)

    assert [t["id"] for t in listed] == [ApiToken.objects.get(user=alice).pk]
    assert refused.status_code == 404
    assert browser().get(f"{BASE}/me", HTTP_AUTHORIZATION=bobs).status_code == 200


def test_one_user_reads_only_their_own_security_log(alice: User, bob: User) -> None:
    login(browser(), email="bob@example.com")
    client = browser()
    login(client)

    events = client.get(f"{BASE}/security-log").json()

    assert [e["kind"] for e in events] == ["login_succeeded"]
    assert events[0]["label"] == "Signed in"


def test_token_creation_asks_for_step_up_then_shows_the_secret_once(alice: User) -> None:
    client = browser()
    login(client)

    refused = post(client, "/tokens", {"name": "cli", "expires_in_days": 30})
    confirmed = post(client, "/step-up", {"password": PASSWORD, "action": "create_api_token"})
    created = post(client, "/tokens", {"name": "cli", "expires_in_days": 30})
    listed = client.get(f"{BASE}/tokens").json()

    assert refused.status_code == 403
    assert refused.json()["error"]["details"] == {
        "action": "create_api_token",
        "method": "password",
    }
    assert confirmed.json()["method"] == "password"
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("okp_pt_")
    assert "secret" not in listed[0]
    assert browser().get(f"{BASE}/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_two_factor_enrolment_through_the_api(alice: User) -> None:
    client = browser()
    login(client)
    with time_machine.travel(T0, tick=False):
        login(client)
        enrolment = post(client, "/2fa/enrol").json()
        confirmed = post(client, "/2fa/confirm", {"code": pyotp.TOTP(enrolment["secret"]).now()})
        status = client.get(f"{BASE}/2fa").json()

    assert enrolment["otpauth_uri"].startswith("otpauth://totp/OKpay:alice%40example.com?secret=")
    assert enrolment["qr_svg"].startswith("<svg")
    assert len(confirmed.json()["recovery_codes"]) == 10
    assert status == {"enabled": True, "recovery_codes_left": 10}


def test_password_reset_through_the_api(alice: User, outbox: Outbox) -> None:
    with outbox.capture():
        requested = post(browser(), "/password/forgot", {"email": "alice@example.com"})
        unknown = post(browser(), "/password/forgot", {"email": "nobody@example.com"})
    token = outbox.link_token()

    reset = post(browser(), "/password/reset", {"token": token, "new_password": NEW_PASSWORD})
    reused = post(browser(), "/password/reset", {"token": token, "new_password": NEW_PASSWORD})

    assert requested.status_code == unknown.status_code == 202
    assert requested.json() == unknown.json() == {"status": "sent_if_registered"}
    assert reset.json() == {"status": "password_changed"}
    assert reused.status_code == 400
    assert reused.json()["error"]["code"] == "token_invalid"
    assert login(browser(), password=NEW_PASSWORD).json()["status"] == "signed_in"


def test_email_verification_through_the_api(db: None, outbox: Outbox) -> None:
    user = make_user(verified=False)
    client = browser()
    login(client)
    with outbox.capture():
        sent = post(client, "/email/verify/resend")
    token = outbox.link_token()

    verified = post(browser(), "/email/verify", {"token": token})

    assert sent.status_code == 202
    assert verified.json() == {"status": "verified"}
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert client.get(f"{BASE}/me").json()["email_verified"] is True


def test_password_check_reports_the_score_and_reasons(db: None) -> None:
    weak = post(browser(), "/password/check", {"password": "password1"}).json()
    strong = post(browser(), "/password/check", {"password": PASSWORD}).json()

    assert weak["ok"] is False
    assert [r["code"] for r in weak["reasons"]] == ["too_short", "too_common"]
    assert strong == {"score": strong["score"], "ok": True, "reasons": []}
    assert strong["score"] >= 3


def test_openapi_documents_the_auth_endpoints(db: None) -> None:
    schema = browser().get("/api/openapi.json").json()

    paths = set(schema["paths"])
    for path in [
        "/login",
        "/login/totp",
        "/signup",
        "/password/forgot",
        "/password/reset",
        "/2fa/enrol",
        "/sessions",
        "/tokens",
        "/security-log",
        "/step-up",
    ]:
        assert f"{BASE}{path}" in paths
    assert re.search("locked", schema["paths"][f"{BASE}/login"]["post"]["description"])
