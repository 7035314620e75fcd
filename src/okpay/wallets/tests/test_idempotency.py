"""Idempotency-Key on the money POSTs: replay, conflict, in-progress, expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from okpay.wallets.models import IdempotencyRecord, Quote, Transaction
from okpay.wallets.tests.conftest import available, fund
from okpay.wallets.tests.test_api import bearer

pytestmark = pytest.mark.django_db

SEND = {"recipient": "bob@example.com", "amount": 2_000, "currency": "USD"}


def send(user: Any, body: dict[str, Any], key: str) -> Any:
    return Client().post(
        "/api/v1/transfers",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        HTTP_ACCEPT_LANGUAGE="en",
        **bearer(user),
    )


def test_same_key_and_body_replays_the_first_response_and_moves_money_once(
    alice: Any, bob: Any
) -> None:
    fund(alice, "USD", 10_000)

    first = send(alice, SEND, "pay-bob-1")
    again = send(alice, dict(reversed(list(SEND.items()))), "pay-bob-1")

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Transaction.objects.filter(user=alice, type="p2p_send").count() == 1
    assert available(bob, "USD") == 2_000


def test_same_key_with_another_body_is_409_and_changes_nothing(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    send(alice, SEND, "pay-bob-1")

    response = send(alice, {**SEND, "amount": 3_000}, "pay-bob-1")

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "idempotency_error",
        "message": "This Idempotency-Key was already used with a different request. Use a new key.",
        "field": "Idempotency-Key",
    }
    assert available(bob, "USD") == 2_000


def test_the_same_key_on_another_endpoint_is_a_conflict(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    send(alice, SEND, "k1")

    response = Client().post(
        "/api/v1/deposits",
        {"amount": 1_000, "currency": "USD", "funding_source": "card"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
        **bearer(alice),
    )

    assert response.status_code == 409
    assert Transaction.objects.filter(user=alice, type="deposit").count() == 1


def test_an_error_answer_is_replayed_too(alice: Any, bob: Any) -> None:
    first = send(alice, SEND, "broke")
    fund(alice, "USD", 10_000)
    again = send(alice, SEND, "broke")

    assert first.status_code == again.status_code == 409
    assert again.json()["error"]["code"] == "insufficient_funds"
    assert available(bob, "USD") == 0


def test_keys_belong_to_one_user(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    fund(bob, "USD", 10_000)
    send(alice, SEND, "shared")

    response = send(bob, {**SEND, "recipient": "alice@example.com"}, "shared")

    assert response.status_code == 201
    assert available(alice, "USD") == 10_000 - 2_000 + 2_000


def test_a_request_still_running_with_the_key_gets_409(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    IdempotencyRecord.objects.create(
        user=alice,
        key="busy",
        endpoint="transfers",
        request_hash="x" * 64,
        created_at=timezone.now(),
    )

    response = send(alice, SEND, "busy")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_error"
    assert available(bob, "USD") == 0


def test_a_key_older_than_24_hours_is_forgotten(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    send(alice, SEND, "old")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=24, seconds=1)
    )

    response = send(alice, SEND, "old")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert available(bob, "USD") == 4_000


def test_a_quote_replay_returns_the_same_quote(alice: Any) -> None:
    body = {
        "operation": "conversion",
        "send_currency": "USD",
        "receive_currency": "EUR",
        "amount": 1_000,
    }

    def ask() -> Any:
        return Client().post(
            "/api/v1/quotes",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="q1",
            **bearer(alice),
        )

    first, again = ask(), ask()

    assert first.json() == again.json()
    assert Quote.objects.filter(user=alice).count() == 1


def test_a_key_longer_than_255_characters_is_refused(alice: Any) -> None:
    fund(alice, "USD", 10_000)

    response = send(alice, SEND, "k" * 256)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "Idempotency-Key"
