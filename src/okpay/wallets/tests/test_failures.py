"""Every failure code is reachable, carries its advice, and a refusal changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from okpay.errors import OkpayError
from okpay.ledger.tests.fixtures import ledger_snapshot
from okpay.wallets.failures import FAILURES, FailureCode, failure_explain
from okpay.wallets.models import Payee, Quote, Transaction
from okpay.wallets.services import (
    deposit_create,
    international_transfer_create,
    p2p_send,
    payee_add,
    quote_create,
)
from okpay.wallets.tests.conftest import HOLDER, fund, ledger_ok, step_up

pytestmark = pytest.mark.django_db

IBAN_DE = "DE89 3704 0044 0532 0130 00"


def refused(code: str, action: Callable[[], Any]) -> OkpayError:
    """Run ``action``, expect ``code``, and check that nothing changed."""
    before = (
        ledger_snapshot(),
        Transaction.objects.count(),
        Payee.objects.count(),
        list(Quote.objects.values_list("pk", "used_at")),
    )
    with pytest.raises(OkpayError) as caught:
        action()
    after = (
        ledger_snapshot(),
        Transaction.objects.count(),
        Payee.objects.count(),
        list(Quote.objects.values_list("pk", "used_at")),
    )
    assert caught.value.code == code
    assert 400 <= caught.value.http_status < 500 or caught.value.retryable
    assert after == before
    assert ledger_ok()
    return caught.value


def send(user: Any, amount: int = 1_000, **kwargs: Any) -> Callable[[], Any]:
    return lambda: p2p_send(
        user=user,
        holder=HOLDER,
        recipient=kwargs.pop("recipient", "bob@example.com"),
        amount_minor=amount,
        currency=kwargs.pop("currency", "USD"),
        **kwargs,
    )


def test_insufficient_funds(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 1_000)
    refused("insufficient_funds", send(alice, 1_001))


def test_limit_exceeded_names_the_remaining_allowance(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 500_000)
    step_up(alice)
    error = refused("limit_exceeded", send(alice, 200_001))  # 2,000.00 per payment
    assert error.details["remaining_minor"] == 200_000


def test_recipient_not_found_and_invalid(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 1_000)
    refused("recipient_not_found", send(alice, recipient="nobody@example.com"))
    refused("recipient_invalid", send(alice, recipient="alice@example.com"))


def test_iban_with_a_bad_checksum_is_recipient_invalid(alice: Any) -> None:
    fund(alice, "EUR", 100_000)
    quote = quote_create(
        user=alice,
        operation="international_transfer",
        send_currency="EUR",
        receive_currency="EUR",
        amount_minor=1_000,
        to_country="DE",
    )
    error = refused(
        "recipient_invalid",
        lambda: international_transfer_create(
            user=alice,
            holder=HOLDER,
            quote_id=quote.pk,
            name="Max Mustermann",
            bank_country="DE",
            iban="DE88 3704 0044 0532 0130 00",
        ),
    )
    assert error.field == "iban"


def test_corridor_blocked(alice: Any) -> None:
    fund(alice, "EUR", 100_000)
    quote = quote_create(
        user=alice,
        operation="international_transfer",
        send_currency="EUR",
        receive_currency="EUR",
        amount_minor=1_000,
    )
    refused(
        "corridor_blocked",
        lambda: international_transfer_create(
            user=alice,
            holder=HOLDER,
            quote_id=quote.pk,
            name="Kim",
            bank_country="KP",
            account_number="12345678",
            bic="FTBDKPPY",
        ),
    )


def test_currency_not_supported(alice: Any) -> None:
    refused(
        "currency_not_supported",
        lambda: deposit_create(
            user=alice, amount_minor=1_000, currency="XAU", funding_source="card"
        ),
    )


def test_quote_expires_at_exactly_thirty_seconds(alice: Any) -> None:
    fund(alice, "EUR", 100_000)
    t0 = timezone.now()
    quote = quote_create(
        user=alice,
        operation="international_transfer",
        send_currency="EUR",
        receive_currency="EUR",
        amount_minor=1_000,
        to_country="DE",
        now=t0,
    )

    def use(at: datetime) -> Callable[[], Any]:
        return lambda: international_transfer_create(
            user=alice,
            holder=HOLDER,
            quote_id=quote.pk,
            name="Max Mustermann",
            bank_country="DE",
            iban=IBAN_DE,
            now=at,
        )

    error = refused("quote_expired", use(t0 + timedelta(seconds=30)))
    assert error.details == {"reason": "expired"}
    txn = use(t0 + timedelta(seconds=29, microseconds=999_999))()
    assert txn.status == "processing"
    assert refused("quote_expired", use(t0 + timedelta(seconds=1))).details == {"reason": "used"}


def test_fx_rates_stale(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        refused("fx_rates_stale", send(alice, currency="USD", receive_currency="CNY"))


def test_account_frozen(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    alice.must_change_password = True
    alice.save(update_fields=["must_change_password"])
    refused("account_frozen", send(alice))


def test_email_not_verified(alice: Any, bob: Any) -> None:
    alice.email_verified_at = None
    alice.save(update_fields=["email_verified_at"])
    refused(
        "email_not_verified",
        lambda: deposit_create(
            user=alice, amount_minor=1_000, currency="USD", funding_source="card"
        ),
    )


def test_step_up_required_for_a_payee_and_a_large_transfer(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 200_000)
    refused(
        "step_up_required",
        lambda: payee_add(
            user=alice,
            holder=HOLDER,
            kind="own_bank_account",
            name="Alice Zhang",
            bank_country="DE",
            currency="EUR",
            iban=IBAN_DE,
        ),
    )
    refused("step_up_required", send(alice, 100_000))


def test_rail_codes_are_stored_on_transactions(alice: Any) -> None:
    txn = deposit_create(user=alice, amount_minor=10_052, currency="USD", funding_source="card")
    assert (txn.failure_code, txn.rail_code) == ("rail_rejected", "do_not_honor")


def test_every_failure_code_has_title_explanation_and_next_steps() -> None:
    for code in FailureCode:
        explained = failure_explain(code)
        assert explained.title and explained.explanation and explained.next_steps
    assert set(FAILURES) == set(FailureCode)
    assert failure_explain("insufficient_funds").next_steps[0][0] == "check_balance"


def test_failure_explanations_are_translated_to_chinese() -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        explained = failure_explain("insufficient_funds")
    assert explained.title != "Not enough money in your wallet"
