"""Support verification codes: issued to the customer, checked once by support staff."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client

from okpay.errors import InvalidInput, PermissionDenied
from okpay.identity.client import NO_CLIENT
from okpay.identity.errors import RateLimited, SupportCodeExpired, SupportCodeInvalid
from okpay.identity.models import AuditEvent, Role, SupportVerificationCode, User
from okpay.identity.services import (
    personal_token_create,
    step_up_verify,
    support_code_issue,
    support_code_verify,
)
from okpay.identity.services.support_code import VerifiedCustomer, mask_email, mask_phone
from okpay.identity.tests.fixtures import PASSWORD, browser, kinds, make_user, sign_in

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
PAGE = "/account/support-code/"
AGENT_PAGE = "/account/agent/verify-code/"
API = "/api/v1/auth"
WRONG = "000000"


@pytest.fixture
def agent(db: None) -> User:
    return make_user("agent@okpay.example", display_name="Agent Wu", role=Role.AGENT)


@pytest.fixture
def supervisor(db: None) -> User:
    return make_user("lead@okpay.example", display_name="Lead Qian", role=Role.SUPERVISOR)


def _verify(agent: User, customer: User, code: str, channel: str = "phone") -> Any:
    return support_code_verify(
        agent=agent, customer_email_or_id=customer.email, code=code, channel=channel
    )


def _wrong(code: str) -> str:
    return "111111" if code != "111111" else "222222"


def _used_codes() -> int:
    return SupportVerificationCode.objects.filter(used_at__isnull=False).count()


# --- Issuing ---------------------------------------------------------------------------------


def test_a_code_is_six_digits_valid_ten_minutes_and_stored_only_as_a_digest(alice: User) -> None:
    with time_machine.travel(T0, tick=False):
        issued = support_code_issue(user=alice, client=NO_CLIENT)

    row = SupportVerificationCode.objects.get()
    assert re.fullmatch(r"\d{6}", issued.code)
    assert issued.expires_at == T0 + timedelta(minutes=10)
    assert row.expires_at == issued.expires_at
    assert row.created_at == T0
    assert issued.code not in row.digest
    assert len(row.digest) == 64
    assert (row.used_at, row.verified_by, row.channel) == (None, None, "")
    assert kinds(alice) == ["support_code_issued"]
    assert list(AuditEvent.objects.values_list("action", "actor", "object_id")) == [
        ("support_code.issued", alice.pk, str(row.pk))
    ]


def test_a_newer_code_invalidates_the_older_one(
    alice: User, agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = iter([123456, 654321])
    monkeypatch.setattr(
        "okpay.identity.services.support_code.secrets.randbelow", lambda _n: next(codes)
    )
    older = support_code_issue(user=alice)
    newer = support_code_issue(user=alice)

    with pytest.raises(SupportCodeInvalid):
        _verify(agent, alice, older.code)
    verified = _verify(agent, alice, newer.code)

    assert (older.code, newer.code) == ("123456", "654321")
    assert verified.user_id == alice.pk
    rows = SupportVerificationCode.objects.order_by("id")
    assert [(r.invalidated_at is not None, r.used_at is not None) for r in rows] == [
        (True, False),
        (False, True),
    ]


def test_issuing_is_limited_to_five_codes_an_hour(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(5):
            support_code_issue(user=alice)
        with pytest.raises(RateLimited) as caught:
            support_code_issue(user=alice)
        clock.shift(timedelta(hours=1))
        support_code_issue(user=alice)

    assert caught.value.code == "rate_limited"
    assert caught.value.retry_after == 3600
    assert SupportVerificationCode.objects.count() == 6


# --- Verifying -------------------------------------------------------------------------------


def test_a_code_works_once(alice: User, agent: User) -> None:
    issued = support_code_issue(user=alice)

    verified = _verify(agent, alice, issued.code, channel="chat")
    with pytest.raises(SupportCodeInvalid) as again:
        _verify(agent, alice, issued.code)

    row = SupportVerificationCode.objects.get()
    assert row.used_at == verified.verified_at
    assert row.verified_by == agent
    assert row.channel == "chat"
    assert again.value.code == "support_code_invalid"
    assert kinds(alice) == ["support_code_issued", "support_code_verified", "support_code_failed"]
    assert list(AuditEvent.objects.order_by("id").values_list("action", "actor")) == [
        ("support_code.issued", alice.pk),
        ("support_code.verified", agent.pk),
        ("support_code.verify_failed", agent.pk),
    ]


def test_the_agent_sees_the_customer_masked(agent: User) -> None:
    customer = make_user("zhang.wei@example.com", display_name="张伟", phone="+8613812345678")
    issued = support_code_issue(user=customer)

    verified = support_code_verify(
        agent=agent,
        customer_email_or_id=" Zhang.Wei@Example.com ",
        code=f"{issued.code[:3]} {issued.code[3:]}",
        channel="phone",
    )

    assert (verified.display_name, verified.email_masked, verified.phone_masked) == (
        "张伟",
        "z***i@example.com",
        "+86 *******5678",
    )
    assert verified.channel == "phone"


def test_the_customer_may_be_named_by_account_number(alice: User, agent: User) -> None:
    issued = support_code_issue(user=alice)

    verified = support_code_verify(
        agent=agent, customer_email_or_id=str(alice.pk), code=issued.code, channel="chat"
    )

    assert verified.user_id == alice.pk


def test_a_code_expires_at_exactly_ten_minutes(alice: User, agent: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        first = support_code_issue(user=alice)
        clock.shift(timedelta(minutes=10) - timedelta(seconds=1))
        just_in_time = _verify(agent, alice, first.code)

        second = support_code_issue(user=alice)
        clock.shift(timedelta(minutes=10))
        with pytest.raises(SupportCodeExpired) as caught:
            _verify(agent, alice, second.code)

    assert just_in_time.verified_at == T0 + timedelta(minutes=10) - timedelta(seconds=1)
    assert caught.value.code == "support_code_expired"
    assert _used_codes() == 1
    assert kinds(alice)[-1] == "support_code_failed"


def test_a_wrong_code_is_refused_and_nothing_is_used(alice: User, agent: User) -> None:
    issued = support_code_issue(user=alice)

    with pytest.raises(SupportCodeInvalid) as caught:
        _verify(agent, alice, _wrong(issued.code))

    assert caught.value.field == "code"
    assert _used_codes() == 0
    assert kinds(alice) == ["support_code_issued", "support_code_failed"]
    event = alice.security_events.get(kind="support_code_failed")
    assert event.details == {"reason": "support_code_invalid", "channel": "phone"}
    assert event.ip is None


@pytest.mark.parametrize("customer", ["nobody@example.com", "999999", "not an address"])
def test_an_unknown_customer_answers_like_a_wrong_code(agent: User, customer: str) -> None:
    with pytest.raises(SupportCodeInvalid):
        support_code_verify(
            agent=agent, customer_email_or_id=customer, code="123456", channel="chat"
        )

    assert list(AuditEvent.objects.values_list("action", "object_id")) == [
        ("support_code.verify_failed", "")
    ]


def test_another_customers_code_does_not_verify(alice: User, bob: User, agent: User) -> None:
    bobs = support_code_issue(user=bob)

    with pytest.raises(SupportCodeInvalid):
        _verify(agent, alice, bobs.code)

    assert _used_codes() == 0


def test_five_wrong_codes_block_the_customer_until_the_window_ends(
    alice: User, agent: User
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        issued = support_code_issue(user=alice)
        for _ in range(5):
            with pytest.raises(SupportCodeInvalid):
                _verify(agent, alice, _wrong(issued.code))
        with pytest.raises(RateLimited) as blocked:
            _verify(agent, alice, issued.code)
        clock.shift(timedelta(minutes=10))
        fresh = support_code_issue(user=alice)
        later = _verify(agent, alice, fresh.code)

    assert blocked.value.code == "rate_limited"
    assert blocked.value.field == "code"
    assert later.user_id == alice.pk
    assert _used_codes() == 1


def test_a_correct_code_does_not_count_as_a_wrong_attempt(alice: User, agent: User) -> None:
    with time_machine.travel(T0, tick=False):
        first = support_code_issue(user=alice)
        for _ in range(4):
            with pytest.raises(SupportCodeInvalid):
                _verify(agent, alice, _wrong(first.code))
        _verify(agent, alice, first.code)
        second = support_code_issue(user=alice)
        with pytest.raises(SupportCodeInvalid):
            _verify(agent, alice, _wrong(second.code))  # the 5th wrong one: still answered
        with pytest.raises(RateLimited):
            _verify(agent, alice, second.code)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_racing_verifications_of_one_code_let_exactly_one_through() -> None:
    customer = make_user("race@example.com")
    agents = [make_user(f"agent{i}@okpay.example", role=Role.AGENT) for i in range(4)]
    issued = support_code_issue(user=customer)
    barrier = threading.Barrier(len(agents))
    results: list[object] = [None] * len(agents)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = _verify(agents[index], customer, issued.code)
        except SupportCodeInvalid as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(agents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(isinstance(r, VerifiedCustomer) for r in results) == 1
    assert sum(isinstance(r, SupportCodeInvalid) for r in results) == 3
    assert _used_codes() == 1
    assert kinds(customer).count("support_code_verified") == 1


def test_the_channel_must_be_phone_or_chat(alice: User, agent: User) -> None:
    issued = support_code_issue(user=alice)

    with pytest.raises(InvalidInput) as caught:
        _verify(agent, alice, issued.code, channel="email")

    assert caught.value.field == "channel"
    assert _used_codes() == 0


@pytest.mark.parametrize(
    ("role", "active", "allowed"),
    [
        (Role.CUSTOMER, True, False),
        (Role.MERCHANT, True, False),
        (Role.AGENT, True, True),
        (Role.SUPERVISOR, True, True),
        (Role.OPERATOR, True, True),
        (Role.AGENT, False, False),
    ],
)
def test_only_active_support_staff_may_verify(
    alice: User, role: Role, active: bool, allowed: bool
) -> None:
    staff = make_user("someone@okpay.example", role=role, is_active=active)
    issued = support_code_issue(user=alice)

    if allowed:
        assert _verify(staff, alice, issued.code).user_id == alice.pk
    else:
        with pytest.raises(PermissionDenied):
            _verify(staff, alice, issued.code)
        assert _used_codes() == 0
        assert kinds(alice) == ["support_code_issued"]


def test_masking_helpers() -> None:
    assert mask_email("alice@example.com") == "a***e@example.com"
    assert mask_email("al@example.com") == "a***@example.com"
    assert mask_phone("+14155550123") == "+1 ******0123"
    assert mask_phone("") == ""


# --- Pages -----------------------------------------------------------------------------------


def _signed_in(user: User, **kwargs: Any) -> Client:
    client = browser(**kwargs)
    response = sign_in(client, user.email)
    assert response.status_code == 302
    return client


def test_the_customer_page_shows_a_fresh_code_and_the_warning(alice: User) -> None:
    with time_machine.travel(T0, tick=False):
        client = _signed_in(alice)
        intro = client.get(PAGE)
        shown = client.post(PAGE)

    assert intro.status_code == 200
    assert 'data-testid="support-code"' not in intro.content.decode()
    body = shown.content.decode()
    assert shown.status_code == 200
    code = re.search(r'data-testid="support-code"[^>]*>(\d{3}) (\d{3})<', body)
    assert code is not None
    assert "OKpay staff never ask for your password, payment password or 2FA codes." in body
    assert 'data-countdown-seconds="600"' in body
    assert "no-store" in shown["Cache-Control"]
    row = SupportVerificationCode.objects.get(user=alice)
    assert row.used_at is None


def test_the_account_menu_links_the_code_page_and_staff_see_the_check_page(
    alice: User, agent: User
) -> None:
    customer_menu = _signed_in(alice).get("/account/").content.decode()
    agent_menu = _signed_in(agent).get("/account/").content.decode()

    assert f'href="{PAGE}"' in customer_menu
    assert f'href="{AGENT_PAGE}"' not in customer_menu
    assert f'href="{AGENT_PAGE}"' in agent_menu


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("customer", 403),
        ("other_customer", 403),
        ("agent", 200),
        ("supervisor", 200),
    ],
)
def test_the_check_page_is_for_support_staff_only(
    alice: User, bob: User, agent: User, supervisor: User, who: str, status: int
) -> None:
    users = {"customer": alice, "other_customer": bob, "agent": agent, "supervisor": supervisor}
    issued = support_code_issue(user=alice)
    client = browser() if who == "anonymous" else _signed_in(users[who])

    page = client.get(AGENT_PAGE)
    post = client.post(
        AGENT_PAGE, {"customer": alice.email, "code": issued.code, "channel": "phone"}
    )

    assert page.status_code == status
    assert post.status_code == status
    if who == "anonymous":
        assert page["Location"].startswith("/account/login/")
    assert _used_codes() == (1 if status == 200 else 0)


def test_the_agent_checks_a_code_on_the_page(alice: User, agent: User) -> None:
    alice.phone = "+8613812345678"
    alice.save(update_fields=["phone"])
    issued = support_code_issue(user=alice)
    client = _signed_in(agent)

    wrong = client.post(
        AGENT_PAGE, {"customer": alice.email, "code": _wrong(issued.code), "channel": "chat"}
    )
    right = client.post(
        AGENT_PAGE, {"customer": alice.email, "code": issued.code, "channel": "chat"}
    )

    assert "This code does not match the customer" in wrong.content.decode()
    assert 'data-testid="verified-customer"' not in wrong.content.decode()
    body = right.content.decode()
    assert 'data-testid="verified-customer"' in body
    assert "Alice Zhang" in body
    assert "a***e@example.com" in body
    assert "+86 *******5678" in body
    assert "alice@example.com" not in body
    assert "Never ask a customer for their password, payment password or 2FA codes." in body


def test_the_pages_speak_chinese(db: None) -> None:
    customer = make_user("li@example.com", display_name="李雷", language="zh-hans")
    staff = make_user("kefu@okpay.example", role=Role.AGENT, language="zh-hans")
    customer_client = _signed_in(customer, HTTP_ACCEPT_LANGUAGE="zh-hans")
    agent_client = _signed_in(staff, HTTP_ACCEPT_LANGUAGE="zh-hans")

    shown = customer_client.post(PAGE).content.decode()
    code = re.search(r'data-testid="support-code"[^>]*>(\d{3}) (\d{3})<', shown)
    assert code is not None
    result = agent_client.post(
        AGENT_PAGE, {"customer": customer.email, "code": "".join(code.groups()), "channel": "phone"}
    ).content.decode()
    denied = customer_client.get(AGENT_PAGE)

    assert "客服验证码" in shown
    assert "OKpay 工作人员绝不会向您索要密码、支付密码或两步验证码。" in shown
    assert "来电验证成功" in result
    assert "切勿向客户索要密码、支付密码或两步验证码。" in result
    assert denied.status_code == 403
    assert "仅限 OKpay 客服人员" in denied.content.decode()


def test_the_code_page_reports_the_rate_limit(alice: User) -> None:
    client = _signed_in(alice)
    for _ in range(5):
        client.post(PAGE)

    blocked = client.post(PAGE)

    assert blocked.status_code == 429
    assert "Too many attempts." in blocked.content.decode()
    assert SupportVerificationCode.objects.count() == 5


# --- API -------------------------------------------------------------------------------------


def _post(client: Client, path: str, body: dict[str, Any] | None = None, **extra: Any) -> Any:
    return client.post(f"{API}{path}", body or {}, content_type="application/json", **extra)


def _bearer(user: User) -> str:
    step_up_verify(user=user, holder="setup", client=NO_CLIENT, password=PASSWORD)
    issued = personal_token_create(
        user=user, name="test", expires_in_days=30, holder="setup", client=NO_CLIENT
    )
    return f"Bearer {issued.secret}"


def test_the_api_issues_a_code_to_the_signed_in_customer(alice: User) -> None:
    with time_machine.travel(T0, tick=False):
        answer = _post(browser(), "/support-code", HTTP_AUTHORIZATION=_bearer(alice))
    anonymous = _post(browser(), "/support-code")

    assert answer.status_code == 201
    body = answer.json()
    assert re.fullmatch(r"\d{6}", body["code"])
    assert body["expires_at"] == "2030-03-01T08:10:00Z"
    assert anonymous.status_code == 401
    assert SupportVerificationCode.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "unauthenticated"),
        ("customer", 403, "permission_denied"),
        ("other_customer", 403, "permission_denied"),
        ("agent", 200, None),
        ("supervisor", 200, None),
    ],
)
def test_the_api_lets_only_support_staff_verify(
    alice: User,
    bob: User,
    agent: User,
    supervisor: User,
    who: str,
    status: int,
    code: str | None,
) -> None:
    users = {"customer": alice, "other_customer": bob, "agent": agent, "supervisor": supervisor}
    issued = support_code_issue(user=alice)
    auth = {} if who == "anonymous" else {"HTTP_AUTHORIZATION": _bearer(users[who])}

    answer = _post(
        browser(),
        "/support-code/verify",
        {"customer": alice.email, "code": issued.code, "channel": "chat"},
        **auth,
    )

    assert answer.status_code == status
    if code is not None:
        assert answer.json()["error"]["code"] == code
        assert _used_codes() == 0
    else:
        body = answer.json()
        assert body == {
            "user_id": alice.pk,
            "display_name": "Alice Zhang",
            "email_masked": "a***e@example.com",
            "phone_masked": "",
            "verified_at": body["verified_at"],
            "channel": "chat",
        }
        assert _used_codes() == 1


def test_the_api_reports_wrong_and_expired_codes(alice: User, agent: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        auth = _bearer(agent)
        issued = support_code_issue(user=alice)
        wrong = _post(
            browser(),
            "/support-code/verify",
            {"customer": alice.email, "code": _wrong(issued.code), "channel": "phone"},
            HTTP_AUTHORIZATION=auth,
        )
        clock.shift(timedelta(minutes=10))
        expired = _post(
            browser(),
            "/support-code/verify",
            {"customer": alice.email, "code": issued.code, "channel": "phone"},
            HTTP_AUTHORIZATION=auth,
        )

    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "support_code_invalid")
    assert wrong.json()["error"]["field"] == "code"
    assert (expired.status_code, expired.json()["error"]["code"]) == (400, "support_code_expired")


def test_the_api_refuses_an_unknown_channel(alice: User, agent: User) -> None:
    issued = support_code_issue(user=alice)

    answer = _post(
        browser(),
        "/support-code/verify",
        {"customer": alice.email, "code": issued.code, "channel": "email"},
        HTTP_AUTHORIZATION=_bearer(agent),
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_request"
    assert _used_codes() == 0
