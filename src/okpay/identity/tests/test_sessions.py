"""Sessions and devices: limits, the devices page, new-device alerts, CSRF, permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client

from okpay.identity.models import KnownDevice, SecurityEvent, User, UserSession
from okpay.identity.tests.fixtures import (
    IP,
    NEW_PASSWORD,
    PASSWORD,
    UA_FIREFOX,
    Outbox,
    browser,
    kinds,
    sign_in,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)


def test_a_session_idle_for_30_minutes_is_ended(alice: User) -> None:
    client = browser()
    with time_machine.travel(T0, tick=False) as clock:
        sign_in(client)
        clock.shift(timedelta(minutes=29, seconds=59))
        kept = client.get("/account/")
        clock.shift(timedelta(minutes=30))
        ended = client.get("/account/")

    assert kept.status_code == 200
    assert ended.status_code == 302
    assert ended["Location"] == "/account/login/?next=/account/"
    assert SESSION_KEY not in client.session
    row = UserSession.objects.get(user=alice)
    assert (row.end_reason, row.ended_at) == ("idle", T0 + timedelta(minutes=59, seconds=59))
    assert SecurityEvent.objects.filter(kind="session_ended").get().details["reason"] == "idle"


def test_a_session_ends_after_12_hours_even_when_busy(alice: User) -> None:
    client = browser()
    with time_machine.travel(T0, tick=False) as clock:
        sign_in(client)
        for _ in range(47):  # a request every 15 minutes: never idle
            clock.shift(timedelta(minutes=15))
            assert client.get("/account/").status_code == 200
        clock.shift(timedelta(minutes=14, seconds=59))
        last = client.get("/account/")
        clock.shift(timedelta(seconds=1))
        ended = client.get("/account/")

    assert last.status_code == 200
    assert ended.status_code == 302
    assert UserSession.objects.get(user=alice).end_reason == "expired"


def test_the_session_cookie_is_lax_http_only_and_expires_with_the_session(alice: User) -> None:
    response = sign_in(browser())

    cookie = response.cookies["sessionid"]
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True
    assert cookie["max-age"] == 12 * 3600 + 600


def test_devices_page_lists_own_sessions_with_browser_os_and_ip(alice: User, bob: User) -> None:
    laptop, phone, other = browser(), browser(ua=UA_FIREFOX, ip="198.51.100.5"), browser()
    sign_in(laptop)
    sign_in(phone)
    sign_in(other, email="bob@example.com")

    html = laptop.get("/account/devices/").content.decode()

    assert "Chrome 126" in html and "Linux" in html and IP in html
    assert "Firefox 128" in html and "Windows" in html and "198.51.100.5" in html
    assert html.count("data-session=") == 2
    bob_session = UserSession.objects.get(user=bob)
    assert f'data-session="{bob_session.pk}"' not in html


def test_ending_another_session_signs_it_out(alice: User) -> None:
    laptop, phone = browser(), browser(ua=UA_FIREFOX)
    sign_in(laptop)
    sign_in(phone)
    phone_row = UserSession.objects.get(user=alice, browser="Firefox 128")

    response = laptop.post(f"/account/devices/{phone_row.pk}/end/")

    assert response.status_code == 302
    assert phone.get("/account/").status_code == 302
    assert laptop.get("/account/").status_code == 200
    phone_row.refresh_from_db()
    assert phone_row.end_reason == "ended_by_user"
    assert kinds(alice)[-1] == "session_ended"


def test_ending_all_other_sessions_keeps_this_one(alice: User) -> None:
    clients = [browser(), browser(ua=UA_FIREFOX), browser(ip="198.51.100.8")]
    for client in clients:
        sign_in(client)

    clients[0].post("/account/devices/end-others/")

    assert [c.get("/account/").status_code for c in clients] == [200, 302, 302]
    assert UserSession.objects.filter(user=alice, ended_at__isnull=True).count() == 1


def test_one_user_cannot_end_another_users_session(alice: User, bob: User) -> None:
    mine, theirs = browser(), browser()
    sign_in(mine)
    sign_in(theirs, email="bob@example.com")
    bob_row = UserSession.objects.get(user=bob)

    response = mine.post(f"/account/devices/{bob_row.pk}/end/")

    assert response.status_code == 404
    assert theirs.get("/account/").status_code == 200
    bob_row.refresh_from_db()
    assert bob_row.ended_at is None


def test_one_user_cannot_read_another_users_security_log(alice: User, bob: User) -> None:
    mine, theirs = browser(), browser(ip="198.51.100.77")
    sign_in(mine)
    sign_in(theirs, email="bob@example.com")

    html = mine.get("/account/security-log/").content.decode()

    assert "198.51.100.77" not in html
    assert html.count('data-kind="login_succeeded"') == 1


def test_pages_need_a_signed_in_user() -> None:
    anonymous = browser()
    for url in ["/account/", "/account/devices/", "/account/tokens/", "/account/security-log/"]:
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/account/login/?next={url}"


def test_sign_in_from_a_new_device_sends_an_alert(alice: User, outbox: Outbox) -> None:
    with outbox.capture():
        sign_in(browser())
        sign_in(browser(ip="203.0.113.99"))  # same browser, same /24: a known device
        sign_in(browser(ua=UA_FIREFOX, ip="198.51.100.5"))

    assert outbox.subjects() == ["New sign-in to your OKpay account"]
    assert "Firefox 128 / Windows" in outbox.messages[0].body
    assert "198.51.100.5" in outbox.messages[0].body
    assert KnownDevice.objects.filter(user=alice).count() == 2
    assert kinds(alice).count("new_device") == 1


def test_signing_out_ends_the_session(alice: User) -> None:
    client = browser()
    sign_in(client)

    response = client.post("/account/logout/")

    assert response.status_code == 302
    assert client.get("/account/").status_code == 302
    assert UserSession.objects.get(user=alice).end_reason == "signed_out"


def test_password_change_ends_every_other_session(alice: User, outbox: Outbox) -> None:
    here, elsewhere = browser(), browser(ua=UA_FIREFOX)
    sign_in(here)
    sign_in(elsewhere)

    with outbox.capture():
        response = here.post(
            "/account/password/", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        )

    assert response.status_code == 302
    assert here.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 302
    assert outbox.subjects() == ["Your OKpay password was changed"]
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert (
        UserSession.objects.filter(user=alice, ended_at__isnull=True).get().browser == "Chrome 126"
    )


def test_password_change_requires_the_current_password(alice: User) -> None:
    client = browser()
    sign_in(client)

    response = client.post(
        "/account/password/", {"current_password": "Wrong-one-1234", "new_password": NEW_PASSWORD}
    )

    html = response.content.decode()
    field = html[html.index('for="id_current_password"') : html.index('for="id_new_password"')]
    assert "The password is not correct." in field
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_forms_refuse_posts_without_a_csrf_token(alice: User) -> None:
    strict = Client(enforce_csrf_checks=True, REMOTE_ADDR=IP)

    login = strict.post("/account/login/", {"email": alice.email, "password": PASSWORD})
    strict.force_login(alice)
    end = strict.post("/account/devices/end-others/")
    revoke = strict.post("/account/tokens/1/revoke/")

    assert (login.status_code, end.status_code, revoke.status_code) == (403, 403, 403)
    assert SecurityEvent.objects.filter(kind="login_succeeded").count() == 0


def test_forms_accept_posts_with_the_csrf_token(alice: User) -> None:
    strict = Client(enforce_csrf_checks=True, REMOTE_ADDR=IP)
    page = strict.get("/account/login/")
    token = page.cookies["csrftoken"].value

    response = strict.post(
        "/account/login/",
        {"email": alice.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302


def test_a_session_made_elsewhere_is_adopted_and_listed(alice: User) -> None:
    client = Client()
    client.force_login(alice)

    html = client.get("/account/devices/").content.decode()

    assert html.count("data-session=") == 1
