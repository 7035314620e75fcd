"""Step-up: a fresh confirmation for risky actions, valid 5 minutes, TOTP or password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from okpay.identity.client import NO_CLIENT
from okpay.identity.errors import PasswordIncorrect, StepUpRequired, TotpInvalid
from okpay.identity.models import SecurityEvent, StepUpGrant, User
from okpay.identity.services import (
    StepUpAction,
    step_up_require,
    step_up_require_for_transfer,
    step_up_required,
    step_up_verify,
    transfer_requires_step_up,
)
from okpay.identity.tests.fixtures import PASSWORD, browser, enable_totp, sign_in

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
HOLDER = "session:abc"


def test_without_a_confirmation_step_up_is_required(alice: User) -> None:
    assert step_up_required(user=alice, holder=HOLDER, action=StepUpAction.ADD_PAYEE) is True
    with pytest.raises(StepUpRequired) as caught:
        step_up_require(user=alice, holder=HOLDER, action=StepUpAction.ADD_PAYEE)

    assert caught.value.code == "step_up_required"
    assert caught.value.http_status == 403
    assert caught.value.details == {"action": "add_payee", "method": "password"}


def test_a_password_confirmation_lasts_exactly_five_minutes(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        step_up_verify(
            user=alice, holder=HOLDER, client=NO_CLIENT, password=PASSWORD, action="add_payee"
        )
        clock.shift(timedelta(minutes=5) - timedelta(seconds=1))
        inside = step_up_required(user=alice, holder=HOLDER, action=StepUpAction.ADD_PAYEE)
        clock.shift(timedelta(seconds=1))
        outside = step_up_required(user=alice, holder=HOLDER, action=StepUpAction.ADD_PAYEE)

    assert (inside, outside) == (False, True)
    assert SecurityEvent.objects.get(kind="step_up_passed").details == {
        "action": "add_payee",
        "with": "password",
    }


def test_a_confirmation_belongs_to_one_session(alice: User) -> None:
    step_up_verify(user=alice, holder=HOLDER, client=NO_CLIENT, password=PASSWORD)

    assert step_up_required(user=alice, holder="session:other", action=StepUpAction.ADD_PAYEE)


def test_with_2fa_on_the_password_is_not_enough(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        step_up_verify(user=alice, holder=HOLDER, client=NO_CLIENT, password=PASSWORD)
        totp = enable_totp(alice)
        # the earlier password confirmation no longer counts
        assert step_up_required(user=alice, holder=HOLDER, action=StepUpAction.CHANGE_EMAIL)
        with pytest.raises(TotpInvalid):
            step_up_verify(user=alice, holder=HOLDER, client=NO_CLIENT, password=PASSWORD)
        clock.shift(timedelta(seconds=30))
        step_up_verify(user=alice, holder=HOLDER, client=NO_CLIENT, code=totp.now())

    assert StepUpGrant.objects.get(user=alice).method == "totp"


def test_a_wrong_password_is_refused_and_logged(alice: User) -> None:
    with pytest.raises(PasswordIncorrect):
        step_up_verify(user=alice, holder=HOLDER, client=NO_CLIENT, password="Wrong-one-123")

    assert StepUpGrant.objects.count() == 0
    assert SecurityEvent.objects.get().kind == "step_up_failed"


@pytest.mark.parametrize(
    ("amount", "currency", "needed"),
    [
        (499_999, "CNY", False),
        (500_000, "CNY", True),
        (99_999, "USD", False),
        (100_000, "USD", True),
        (100_000, "XYZ", True),
        (99_999, "XYZ", False),
    ],
)
def test_transfers_from_the_threshold_need_step_up(
    amount: int, currency: str, needed: bool
) -> None:
    assert transfer_requires_step_up(amount_minor=amount, currency=currency) is needed


def test_without_a_default_threshold_unknown_currencies_always_need_it(settings: object) -> None:
    settings.OKPAY_STEP_UP_TRANSFER_THRESHOLDS = {"CNY": 500_000}  # type: ignore[attr-defined]

    assert transfer_requires_step_up(amount_minor=1, currency="USD") is True


def test_large_transfer_check_raises_until_confirmed(alice: User) -> None:
    with pytest.raises(StepUpRequired) as caught:
        step_up_require_for_transfer(
            user=alice, holder=HOLDER, amount_minor=600_000, currency="CNY"
        )
    step_up_require_for_transfer(user=alice, holder=HOLDER, amount_minor=10_000, currency="CNY")
    step_up_verify(user=alice, holder=HOLDER, client=NO_CLIENT, password=PASSWORD)
    step_up_require_for_transfer(user=alice, holder=HOLDER, amount_minor=600_000, currency="CNY")

    assert caught.value.details["action"] == "large_transfer"


def test_the_confirm_page_returns_to_the_action(alice: User) -> None:
    client = browser()
    sign_in(client)

    redirect = client.get("/account/tokens/new/")
    page = client.get(redirect["Location"])
    wrong = client.post(redirect["Location"], {"password": "Wrong-one-123"})
    right = client.post(redirect["Location"], {"password": PASSWORD})
    form = client.get("/account/tokens/new/")

    assert (
        redirect["Location"]
        == "/account/confirm/?next=%2Faccount%2Ftokens%2Fnew%2F&action=create_api_token"
    )
    assert 'name="password"' in page.content.decode()
    assert "The password is not correct." in wrong.content.decode()
    assert right["Location"] == "/account/tokens/new/"
    assert form.status_code == 200


def test_the_confirm_page_asks_for_a_code_when_2fa_is_on(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        clock.shift(timedelta(seconds=30))
        client = browser()
        sign_in(client)
        clock.shift(timedelta(seconds=30))
        client.post("/account/login/2fa/", {"code": totp.now()})
        page = client.get("/account/confirm/?next=/account/email/")
        clock.shift(timedelta(seconds=30))
        done = client.post("/account/confirm/?next=/account/email/", {"code": totp.now()})

    assert 'name="code"' in page.content.decode()
    assert 'name="password"' not in page.content.decode()
    assert done["Location"] == "/account/email/"


def test_the_confirm_page_never_redirects_off_site(alice: User) -> None:
    client = browser()
    sign_in(client)

    response = client.post("/account/confirm/?next=https://evil.example/", {"password": PASSWORD})

    assert response["Location"] == "/account/"
