"""Top-up, withdrawal, P2P, conversion and international transfer, with their ledger."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from okpay.ledger.models import Account
from okpay.wallets.models import Transaction, TransactionStatus
from okpay.wallets.selectors import transaction_detail, transactions_list, wallet_balances
from okpay.wallets.services import (
    conversion_create,
    deposit_create,
    international_transfer_create,
    p2p_send,
    payee_add,
    quote_create,
    rails_settle_due,
    withdrawal_create,
)
from okpay.wallets.tests.conftest import HOLDER, available, fund, ledger_ok, step_up

pytestmark = pytest.mark.django_db

IBAN_DE = "DE89 3704 0044 0532 0130 00"


def test_reference_has_the_documented_shape(alice: Any) -> None:
    fund(alice, "USD", 10_000)

    txn = Transaction.objects.get(user=alice)
    day = timezone.now().astimezone(UTC).strftime("%y%m%d")

    assert txn.reference[:8] == f"OK{day}"
    assert txn.reference[8:12] == "0001"
    assert (
        len(txn.reference) == 14 and txn.reference[12:].isalpha() and txn.reference[12:].isupper()
    )


def test_bank_top_up_is_pending_with_eta_until_the_bank_settles(alice: Any) -> None:
    now = timezone.now()
    txn = deposit_create(
        user=alice, amount_minor=50_000, currency="CNY", funding_source="bank_transfer", now=now
    )

    assert (txn.status, txn.eta) == ("pending", now + timedelta(seconds=120))
    (balance,) = wallet_balances(user=alice)
    assert (balance.available_minor, balance.pending_incoming_minor) == (0, 50_000)

    early = rails_settle_due(now=now + timedelta(seconds=119))
    settled = rails_settle_due(now=now + timedelta(seconds=120))
    again = rails_settle_due(now=now + timedelta(seconds=121))

    assert (early.completed, settled.completed, again.completed) == (0, 1, 0)
    assert available(alice, "CNY") == 50_000
    txn.refresh_from_db()
    assert txn.status == "completed"
    history = [(c.from_status, c.to_status) for c in txn.status_changes.all()]
    assert history == [("", "pending"), ("pending", "completed")]
    assert ledger_ok()


def test_card_top_up_is_instant_and_the_fee_goes_to_fee_revenue(alice: Any) -> None:
    txn = deposit_create(user=alice, amount_minor=10_000, currency="USD", funding_source="card")

    assert (txn.status, txn.fee_minor, txn.receive_amount_minor) == ("completed", 150, 9_850)
    assert available(alice, "USD") == 9_850
    assert Account.objects.get(pk="sys:fee_revenue:USD").credits_posted == 150
    assert ledger_ok()


def test_card_declined_for_amount_ending_in_51_is_a_failed_transaction(alice: Any) -> None:
    txn = deposit_create(user=alice, amount_minor=10_051, currency="USD", funding_source="card")

    assert (txn.status, txn.failure_code, txn.rail_code) == (
        "failed",
        "rail_rejected",
        "card_declined",
    )
    assert available(alice, "USD") == 0
    detail = transaction_detail(user=alice, reference=txn.reference)
    assert detail.failure is not None
    assert [s for s, _ in detail.failure.next_steps] == [
        "check_details",
        "other_method",
        "get_help",
    ]
    assert ledger_ok()


def test_bank_top_up_rejected_by_the_bank_releases_the_hold(alice: Any) -> None:
    now = timezone.now()
    txn = deposit_create(
        user=alice, amount_minor=10_061, currency="USD", funding_source="bank_transfer", now=now
    )

    report = rails_settle_due(now=now + timedelta(seconds=120))

    txn.refresh_from_db()
    assert (report.failed, txn.status, txn.failure_code) == (1, "failed", "rail_rejected")
    (balance,) = wallet_balances(user=alice)
    assert (balance.available_minor, balance.pending_incoming_minor) == (0, 0)
    assert ledger_ok()


def test_bank_top_up_without_answer_times_out_at_the_deadline(alice: Any) -> None:
    now = timezone.now()
    txn = deposit_create(
        user=alice, amount_minor=10_062, currency="USD", funding_source="bank_transfer", now=now
    )

    waiting = rails_settle_due(now=now + timedelta(seconds=3599))
    timed_out = rails_settle_due(now=now + timedelta(seconds=3600))

    txn.refresh_from_db()
    assert (waiting.waiting, timed_out.timed_out) == (1, 1)
    assert (txn.status, txn.failure_code) == ("failed", "rail_timeout")
    assert available(alice, "USD") == 0
    assert ledger_ok()


def test_forced_failure_setting_rejects_a_normal_amount(alice: Any, settings: Any) -> None:
    settings.OKPAY_SANDBOX_FORCE = "rejected"
    now = timezone.now()
    txn = deposit_create(
        user=alice, amount_minor=10_000, currency="USD", funding_source="bank_transfer", now=now
    )
    rails_settle_due(now=now + timedelta(seconds=120))

    txn.refresh_from_db()
    assert (txn.status, txn.failure_code, txn.rail_code) == (
        "failed",
        "rail_rejected",
        "forced_reject",
    )
    assert ledger_ok()


def test_p2p_same_currency_moves_money_and_links_both_records(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)

    sent = p2p_send(
        user=alice, holder=HOLDER, recipient="BOB@example.com", amount_minor=2_500, currency="USD"
    )

    received = sent.counterparty
    assert received is not None
    assert (sent.type, sent.status, received.type, received.user_id) == (
        "p2p_send",
        "completed",
        "p2p_receive",
        bob.pk,
    )
    assert Transaction.objects.get(pk=received.pk).counterparty_id == sent.pk
    assert (available(alice, "USD"), available(bob, "USD")) == (7_500, 2_500)
    assert ledger_ok()


def test_p2p_by_phone_in_another_currency_converts_through_fx_position(
    alice: Any, bob: Any
) -> None:
    fund(bob, "GBP", 20_000)

    sent = p2p_send(
        user=bob,
        holder=HOLDER,
        recipient="+86 138 0013 8000",
        amount_minor=10_000,
        currency="GBP",
        receive_currency="CNY",
    )

    assert sent.fx_rate is not None and sent.fx_rate > Decimal(0)
    assert sent.receive_currency == "CNY"
    assert available(bob, "GBP") == 10_000 - sent.fee_minor
    assert available(alice, "CNY") == sent.receive_amount_minor
    assert Account.objects.get(pk="sys:fx_position:GBP").credits_posted == 10_000
    assert Account.objects.get(pk="sys:fx_position:CNY").debits_posted == (
        sent.receive_amount_minor
    )
    assert ledger_ok()


def test_conversion_between_own_wallets_at_a_quote(alice: Any) -> None:
    fund(alice, "USD", 100_000)
    quote = quote_create(
        user=alice,
        operation="conversion",
        send_currency="USD",
        receive_currency="EUR",
        amount_minor=10_000,
    )

    txn = conversion_create(user=alice, from_currency="USD", to_currency="EUR", quote_id=quote.pk)

    assert (txn.amount_minor, txn.fee_minor) == (10_000, 30)  # 0.3 %
    assert txn.receive_amount_minor == quote.receive_amount_minor
    assert available(alice, "USD") == 100_000 - 10_030
    assert available(alice, "EUR") == quote.receive_amount_minor
    assert ledger_ok()


def test_withdrawal_to_own_bank_account_is_held_then_posted(alice: Any) -> None:
    fund(alice, "EUR", 100_000)
    step_up(alice)
    payee = payee_add(
        user=alice,
        holder=HOLDER,
        kind="own_bank_account",
        name="Alice Zhang",
        bank_country="DE",
        currency="EUR",
        iban=IBAN_DE,
    )
    now = timezone.now()
    txn = withdrawal_create(
        user=alice, holder=HOLDER, payee_id=payee.pk, amount_minor=20_000, now=now
    )

    assert (txn.status, txn.fee_minor) == ("processing", 100)  # 0.5 %
    (balance,) = wallet_balances(user=alice)
    assert (balance.available_minor, balance.pending_outgoing_minor) == (79_900, 20_100)

    rails_settle_due(now=now + timedelta(seconds=60))

    txn.refresh_from_db()
    assert txn.status == "completed"
    (balance,) = wallet_balances(user=alice)
    assert (balance.posted_minor, balance.pending_outgoing_minor) == (79_900, 0)
    assert ledger_ok()


def _intl_quote(user: Any, amount: int, **kwargs: Any) -> Any:
    return quote_create(
        user=user,
        operation="international_transfer",
        send_currency=kwargs.pop("send_currency", "EUR"),
        receive_currency=kwargs.pop("receive_currency", "EUR"),
        amount_minor=amount,
        to_country=kwargs.pop("to_country", "DE"),
        **kwargs,
    )


def test_international_transfer_to_an_iban_completes_after_the_payout_delay(
    alice: Any,
) -> None:
    fund(alice, "EUR", 100_000)
    quote = _intl_quote(alice, 10_000)
    now = timezone.now()

    txn = international_transfer_create(
        user=alice,
        holder=HOLDER,
        quote_id=quote.pk,
        name="Max Mustermann",
        address="Hauptstr. 1, Berlin",
        bank_country="DE",
        iban=IBAN_DE,
        now=now,
    )

    assert (txn.status, txn.fee_minor, txn.eta) == (
        "processing",
        280,  # 0.8 % + 2.00
        now + timedelta(seconds=300),
    )
    assert txn.recipient["iban"] == "DE89370400440532013000"
    assert available(alice, "EUR") == 100_000 - 10_280
    rails_settle_due(now=now + timedelta(seconds=300))
    txn.refresh_from_db()
    assert txn.status == "completed"
    assert Account.objects.get(pk="sys:rail_settlement.swift:EUR").credits_posted == 10_000
    assert ledger_ok()


def test_international_transfer_with_account_number_and_bic_in_another_currency(
    alice: Any,
) -> None:
    fund(alice, "CNY", 1_000_000)
    quote = _intl_quote(
        alice,
        50_000,
        send_currency="CNY",
        receive_currency="USD",
        to_country="US",
        amount_side="receive",
    )

    txn = international_transfer_create(
        user=alice,
        holder=HOLDER,
        quote_id=quote.pk,
        name="John Smith",
        bank_country="US",
        account_number="000123456789",
        bic="CHASUS33",
    )

    assert (txn.receive_amount_minor, txn.receive_currency) == (50_000, "USD")
    assert txn.recipient["bic"] == "CHASUS33"
    assert available(alice, "CNY") == 1_000_000 - quote.send_amount_minor - quote.fee_minor
    assert ledger_ok()


def test_returned_payout_releases_the_hold(alice: Any) -> None:
    fund(alice, "EUR", 100_000)
    quote = _intl_quote(alice, 10_081)
    now = timezone.now()
    txn = international_transfer_create(
        user=alice,
        holder=HOLDER,
        quote_id=quote.pk,
        name="Max Mustermann",
        bank_country="DE",
        iban=IBAN_DE,
        now=now,
    )

    report = rails_settle_due(now=now + timedelta(seconds=300))

    txn.refresh_from_db()
    assert (report.returned, txn.status, txn.failure_code) == (1, "returned", "payout_returned")
    assert available(alice, "EUR") == 100_000
    assert ledger_ok()


def test_double_submission_with_the_same_client_reference_moves_money_once(
    alice: Any, bob: Any
) -> None:
    fund(alice, "USD", 10_000)

    first = p2p_send(
        user=alice,
        holder=HOLDER,
        recipient="bob@example.com",
        amount_minor=1_000,
        currency="USD",
        client_reference="form-1",
    )
    second = p2p_send(
        user=alice,
        holder=HOLDER,
        recipient="bob@example.com",
        amount_minor=1_000,
        currency="USD",
        client_reference="form-1",
    )

    assert first.pk == second.pk
    assert Transaction.objects.filter(user=alice, type="p2p_send").count() == 1
    assert available(alice, "USD") == 9_000
    assert ledger_ok()


def test_a_repeated_submission_at_the_daily_limit_returns_the_first_transaction(
    alice: Any, bob: Any
) -> None:
    # given: a send that uses the whole daily limit
    from okpay.limits.services import limit_rule_set

    fund(alice, "USD", 10_000)
    limit_rule_set(transaction_type="p2p_send", currency="USD", daily_minor=1_000)
    first = p2p_send(
        user=alice,
        holder=HOLDER,
        recipient="bob@example.com",
        amount_minor=1_000,
        currency="USD",
        client_reference="form-2",
    )

    # when: the same form is submitted again
    second = p2p_send(
        user=alice,
        holder=HOLDER,
        recipient="bob@example.com",
        amount_minor=1_000,
        currency="USD",
        client_reference="form-2",
    )

    # then: it is recognised as a repeat, not refused as over the limit
    assert second.pk == first.pk
    assert Transaction.objects.filter(user=alice, type="p2p_send").count() == 1
    assert available(alice, "USD") == 9_000
    assert ledger_ok()


def test_transactions_list_filters_and_paginates(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    for _ in range(3):
        p2p_send(
            user=alice, holder=HOLDER, recipient="bob@example.com", amount_minor=100, currency="USD"
        )

    first = transactions_list(user=alice, type="p2p_send", limit=2)
    rest = transactions_list(
        user=alice, type="p2p_send", limit=2, starting_after=first.next_cursor or ""
    )

    assert (len(first.items), first.has_more, len(rest.items), rest.has_more) == (2, True, 1, False)
    assert transactions_list(user=bob).items[0].type == "p2p_receive"
    assert transactions_list(user=alice, status=TransactionStatus.FAILED).items == []
