"""Personal API tokens: created behind step-up, shown once, hashed, expiring, own only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from okpay.errors import InvalidInput, NotFound
from okpay.identity.client import NO_CLIENT
from okpay.identity.errors import StepUpRequired
from okpay.identity.models import ApiToken, AuditEvent, TokenKind, User
from okpay.identity.services import (
    personal_token_create,
    personal_token_revoke,
    step_up_verify,
    token_authenticate,
)
from okpay.identity.tests.fixtures import PASSWORD, Outbox, browser, kinds, sign_in

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
HOLDER = "session:abc"


def _create(user: User, *, days: int = 30, name: str = "script") -> object:
    step_up_verify(user=user, holder=HOLDER, client=NO_CLIENT, password=PASSWORD)
    return personal_token_create(
        user=user, name=name, expires_in_days=days, holder=HOLDER, client=NO_CLIENT
    )


def test_creating_a_token_needs_step_up(alice: User) -> None:
    with pytest.raises(StepUpRequired):
        personal_token_create(
            user=alice, name="x", expires_in_days=30, holder=HOLDER, client=NO_CLIENT
        )

    assert ApiToken.objects.count() == 0


def test_a_token_is_shown_once_stored_hashed_and_authenticates(alice: User, outbox: Outbox) -> None:
    with outbox.capture():
        issued = _create(alice)

    token = ApiToken.objects.get()
    assert issued.secret.startswith("okp_pt_")  # type: ignore[attr-defined]
    assert issued.secret not in token.digest  # type: ignore[attr-defined]
    assert token.kind == TokenKind.PERSONAL
    assert token_authenticate(secret=issued.secret) == token  # type: ignore[attr-defined]
    assert kinds(alice)[-1] == "token_created"
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["api_token.created"]
    assert outbox.subjects() == ["A new API token was created for your OKpay account"]


def test_a_token_stops_working_when_it_expires(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        issued = _create(alice, days=7)
        clock.shift(timedelta(days=7) - timedelta(seconds=1))
        before = token_authenticate(secret=issued.secret)  # type: ignore[attr-defined]
        clock.shift(timedelta(seconds=1))
        after = token_authenticate(secret=issued.secret)  # type: ignore[attr-defined]

    assert before is not None
    assert after is None


@pytest.mark.parametrize("days", [0, 1, 400])
def test_the_expiry_must_be_one_of_the_offered_choices(alice: User, days: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        _create(alice, days=days)

    assert caught.value.field == "expires_in_days"


def test_revoking_a_token_stops_it(alice: User) -> None:
    issued = _create(alice)

    personal_token_revoke(user=alice, token_id=issued.token.pk, client=NO_CLIENT)  # type: ignore[attr-defined]

    assert token_authenticate(secret=issued.secret) is None  # type: ignore[attr-defined]
    assert kinds(alice)[-1] == "token_revoked"


def test_one_user_cannot_revoke_another_users_token(alice: User, bob: User) -> None:
    issued = _create(alice)

    with pytest.raises(NotFound):
        personal_token_revoke(user=bob, token_id=issued.token.pk, client=NO_CLIENT)  # type: ignore[attr-defined]

    assert token_authenticate(secret=issued.secret) is not None  # type: ignore[attr-defined]


def test_token_pages_create_list_and_revoke(alice: User, bob: User) -> None:
    bobs = _create(bob, name="bob's script")
    client = browser()
    sign_in(client)
    client.post("/account/confirm/", {"password": PASSWORD})

    created = client.post(
        "/account/tokens/new/", {"name": "ledger export", "expires_in_days": "90"}
    )
    shown = re.search(r'data-testid="token-secret">([^<]+)<', created.content.decode())
    assert shown is not None
    authenticated = token_authenticate(secret=shown.group(1))
    secret = ApiToken.objects.get(user=alice)
    listing = client.get("/account/tokens/").content.decode()
    other = client.post(f"/account/tokens/{bobs.token.pk}/revoke/")  # type: ignore[attr-defined]
    mine = client.post(f"/account/tokens/{secret.pk}/revoke/")

    assert shown.group(1).startswith("okp_pt_")
    assert authenticated == secret
    assert "ledger export" in listing
    assert "bob&#x27;s script" not in listing and "bob's script" not in listing
    assert secret.prefix in listing  # the prefix only, never the secret
    assert shown.group(1) not in listing
    assert other.status_code == 404
    assert mine.status_code == 302
    assert token_authenticate(secret=bobs.secret) is not None  # type: ignore[attr-defined]
    secret.refresh_from_db()
    assert secret.revoked_at is not None
