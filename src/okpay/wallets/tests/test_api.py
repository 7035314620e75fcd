"""The wallets API: permission matrix, each endpoint's happy path, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from okpay.identity.client import NO_CLIENT
from okpay.identity.services import personal_token_create
from okpay.wallets.models import Payee, Transaction
from okpay.wallets.tests.conftest import HOLDER, available, fund, step_up

pytestmark = pytest.mark.django_db

IBAN_DE = "DE89370400440532013000"


def bearer(user: Any) -> dict[str, str]:
    """A personal API token of ``user`` (made once per user object)."""
    if not hasattr(user, "_test_token"):
        step_up(user)
        created = personal_token_create(
            user=user, name="tests", expires_in_days=30, holder=HOLDER, client=NO_CLIENT
        )
        user._test_token = created
    return {"HTTP_AUTHORIZATION": f"Bearer {user._test_token.secret}"}


def post(user: Any, path: str, body: dict[str, Any], **headers: str) -> Any:
    return Client().post(path, body, content_type="application/json", **bearer(user), **headers)


def get(user: Any | None, path: str) -> Any:
    return Client().get(path, **(bearer(user) if user else {}))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/wallets"),
        ("get", "/api/v1/transactions"),
        ("post", "/api/v1/deposits"),
        ("post", "/api/v1/transfers"),
        ("post", "/api/v1/quotes"),
        ("get", "/api/v1/payees"),
    ],
)
def test_anonymous_requests_get_401(method: str, path: str) -> None:
    response = getattr(Client(), method)(path)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_customer_sees_only_their_own_wallets_and_transactions(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    reference = Transaction.objects.get(user=alice).reference

    own = get(alice, f"/api/v1/transactions/{reference}")
    other = get(bob, f"/api/v1/transactions/{reference}")
    bob_list = get(bob, "/api/v1/transactions").json()
    bob_wallets = get(bob, "/api/v1/wallets").json()

    assert own.status_code == 200
    assert own.json()["status_history"][-1]["status"] == "completed"
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "not_found"
    assert bob_list == {"data": [], "has_more": False, "next_cursor": None}
    assert bob_wallets == {"data": []}
    assert get(bob, "/api/v1/wallets/USD").status_code == 404


def test_wallets_list_and_open(alice: Any) -> None:
    fund(alice, "USD", 10_000)

    opened = post(alice, "/api/v1/wallets", {"currency": "EUR"})
    listed = get(alice, "/api/v1/wallets").json()

    assert opened.status_code == 201
    assert sorted(w["currency"] for w in listed["data"]) == ["EUR", "USD"]
    usd = next(w for w in listed["data"] if w["currency"] == "USD")
    assert usd == {
        "currency": "USD",
        "balance": 10_000,
        "available": 10_000,
        "pending_incoming": 0,
        "pending_outgoing": 0,
    }


def test_transactions_are_paginated_with_a_cursor(alice: Any) -> None:
    for amount in (1_000, 2_000, 3_000):
        fund(alice, "USD", amount)

    first = get(alice, "/api/v1/transactions?limit=2").json()
    second = get(
        alice, f"/api/v1/transactions?limit=2&starting_after={first['next_cursor']}"
    ).json()

    assert [t["amount"] for t in first["data"]] == [3_000, 2_000]
    assert first["has_more"] is True
    assert [t["amount"] for t in second["data"]] == [1_000]
    assert (second["has_more"], second["next_cursor"]) == (False, None)


def test_deposit_by_card(alice: Any) -> None:
    response = post(
        alice, "/api/v1/deposits", {"amount": 10_000, "currency": "USD", "funding_source": "card"}
    )

    body = response.json()
    assert response.status_code == 201
    assert (body["status"], body["fee"], body["receive_amount"]) == ("completed", 150, 9_850)


def test_transfer_to_another_user(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)

    response = post(
        alice,
        "/api/v1/transfers",
        {"recipient": "bob@example.com", "amount": 2_000, "currency": "USD"},
    )

    assert response.status_code == 201
    assert response.json()["type"] == "p2p_send"
    assert available(bob, "USD") == 2_000


def test_quote_then_conversion(alice: Any) -> None:
    fund(alice, "USD", 10_000)

    quote = post(
        alice,
        "/api/v1/quotes",
        {
            "operation": "conversion",
            "send_currency": "USD",
            "receive_currency": "EUR",
            "amount": 5_000,
        },
    ).json()
    done = post(
        alice,
        "/api/v1/conversions",
        {"from_currency": "USD", "to_currency": "EUR", "quote_id": quote["id"]},
    )

    assert quote["total_debit"] == 5_000 + quote["fee"]
    assert done.status_code == 201
    assert done.json()["receive_amount"] == quote["receive_amount"]
    assert available(alice, "EUR") == quote["receive_amount"]


def test_international_transfer_with_a_quote(alice: Any) -> None:
    fund(alice, "EUR", 50_000)
    quote = post(
        alice,
        "/api/v1/quotes",
        {
            "operation": "international_transfer",
            "send_currency": "EUR",
            "receive_currency": "EUR",
            "amount": 10_000,
            "to_country": "DE",
        },
    ).json()

    response = post(
        alice,
        "/api/v1/international-transfers",
        {"quote_id": quote["id"], "name": "Hans Meier", "bank_country": "DE", "iban": IBAN_DE},
    )

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["recipient"]["iban"]) == (
        "processing",
        IBAN_DE,
    )


def test_payees_need_step_up_and_withdrawal_works_after_it(alice: Any) -> None:
    from okpay.identity.services import step_up_verify
    from okpay.identity.tests.fixtures import PASSWORD

    fund(alice, "EUR", 50_000)
    headers = bearer(alice)
    client = Client()
    body = {
        "kind": "own_bank_account",
        "name": "Alice Zhang",
        "bank_country": "DE",
        "currency": "EUR",
        "iban": IBAN_DE,
    }

    refused = client.post("/api/v1/payees", body, content_type="application/json", **headers)
    token_holder = f"token:{alice._test_token.token.pk}"
    step_up_verify(user=alice, holder=token_holder, client=NO_CLIENT, password=PASSWORD)
    added = client.post("/api/v1/payees", body, content_type="application/json", **headers)
    withdrawn = client.post(
        "/api/v1/withdrawals",
        {"payee_id": added.json()["id"], "amount": 1_000},
        content_type="application/json",
        **headers,
    )

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "step_up_required"
    assert added.status_code == 201
    assert withdrawn.status_code == 201
    assert withdrawn.json()["status"] == "processing"


def test_another_customers_payee_is_404(alice: Any, bob: Any) -> None:
    from django.utils import timezone

    payee = Payee.objects.create(
        user=alice,
        kind="own_bank_account",
        name="Alice Zhang",
        bank_country="DE",
        currency="EUR",
        iban=IBAN_DE,
        created_at=timezone.now(),
    )

    response = Client().delete(f"/api/v1/payees/{payee.pk}", **bearer(bob))

    assert response.status_code == 404
    assert Payee.objects.get(pk=payee.pk).removed_at is None


def test_bad_input_is_400_with_the_field_and_nothing_changes(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)

    negative = post(
        alice,
        "/api/v1/transfers",
        {"recipient": "bob@example.com", "amount": -5, "currency": "USD"},
    )
    unknown = post(
        alice,
        "/api/v1/transfers",
        {"recipient": "nobody@example.com", "amount": 500, "currency": "USD"},
    )
    bad_iban = post(
        alice,
        "/api/v1/international-transfers",
        {"quote_id": 1, "name": "X Y", "bank_country": "DE", "iban": "DE00123"},
    )

    assert negative.status_code == 400
    assert negative.json()["error"]["field"] == "amount"
    assert (unknown.status_code, unknown.json()["error"]["field"]) == (400, "recipient")
    assert (bad_iban.status_code, bad_iban.json()["error"]["field"]) == (400, "iban")
    assert Transaction.objects.filter(user=alice).count() == 1
    assert available(alice, "USD") == 10_000
    assert available(bob, "USD") == 0


def test_insufficient_funds_is_409(alice: Any, bob: Any) -> None:
    response = post(
        alice,
        "/api/v1/transfers",
        {"recipient": "bob@example.com", "amount": 500, "currency": "USD"},
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "insufficient_funds"
    assert Transaction.objects.filter(user=alice).count() == 0


def test_public_fee_endpoints_need_no_sign_in() -> None:
    schedule = Client().get("/api/v1/fees")
    calc = Client().post(
        "/api/v1/fees/calculate",
        {
            "transaction_type": "deposit",
            "send_currency": "USD",
            "amount": 10_000,
            "funding_source": "card",
        },
        content_type="application/json",
    )

    assert schedule.status_code == 200
    assert len(schedule.json()["data"]) > 0
    assert calc.status_code == 200
    assert (calc.json()["fee"], calc.json()["receive_amount"], calc.json()["total_debit"]) == (
        150,
        9_850,
        10_000,
    )


def test_openapi_documents_the_money_endpoints() -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]

    for path in (
        "/api/v1/wallets",
        "/api/v1/transactions",
        "/api/v1/quotes",
        "/api/v1/deposits",
        "/api/v1/withdrawals",
        "/api/v1/transfers",
        "/api/v1/international-transfers",
        "/api/v1/conversions",
        "/api/v1/payees",
        "/api/v1/fees",
    ):
        assert path in paths
    params = [p["name"] for p in paths["/api/v1/deposits"]["post"]["parameters"]]
    assert "Idempotency-Key" in params
