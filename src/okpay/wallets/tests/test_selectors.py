"""Reads: own data only, balance series, totals, statements, quote rounding."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from okpay.errors import NotFound
from okpay.money import Rounding, convert
from okpay.wallets.selectors import (
    balance_series,
    statement_rows,
    transaction_detail,
    wallets_total,
)
from okpay.wallets.services import p2p_send, quote_create
from okpay.wallets.tests.conftest import HOLDER, fund

pytestmark = pytest.mark.django_db


def test_another_users_transaction_is_not_found(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 1_000)
    reference = alice.wallet_transactions.get().reference

    with pytest.raises(NotFound):
        transaction_detail(user=bob, reference=reference)
    assert transaction_detail(user=alice, reference=reference).history[-1].to_status == "completed"


def test_balance_series_gives_daily_closing_balances(alice: Any, bob: Any) -> None:
    start = timezone.now() - timedelta(days=2)
    fund(alice, "USD", 5_000, now=start)
    p2p_send(
        user=alice, holder=HOLDER, recipient="bob@example.com", amount_minor=1_200, currency="USD"
    )
    today = timezone.localtime(timezone.now(), timezone.get_fixed_timezone(480)).date()

    points = balance_series(
        user=alice, currency="USD", day_from=today - timedelta(days=3), day_to=today
    )

    assert [p.closing_minor for p in points] == [0, 5_000, 5_000, 3_800]


def test_total_in_a_display_currency_and_statement_rows(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    fund(alice, "EUR", 10_000)
    p2p_send(
        user=alice, holder=HOLDER, recipient="bob@example.com", amount_minor=1_000, currency="USD"
    )

    total = wallets_total(user=alice, display_currency="USD")
    rows = statement_rows(
        user=alice,
        created_from=timezone.now() - timedelta(hours=1),
        created_to=timezone.now() + timedelta(hours=1),
    )

    assert total.available_minor > 9_000 + 10_000  # one euro buys more than one dollar
    assert [(r.type, r.amount_minor) for r in rows] == [
        ("deposit", 10_000),
        ("deposit", 10_000),
        ("p2p_send", -1_000),
    ]


def test_quote_on_the_receive_side_rounds_the_send_amount_up(alice: Any) -> None:
    quote = quote_create(
        user=alice,
        operation="conversion",
        send_currency="CNY",
        receive_currency="JPY",
        amount_minor=12_345,
        amount_side="receive",
    )

    got = convert(
        quote.send_amount_minor,
        rate=quote.customer_rate,
        from_currency="CNY",
        to_currency="JPY",
        rounding=Rounding.DOWN,
    )
    one_less = convert(
        quote.send_amount_minor - 1,
        rate=quote.customer_rate,
        from_currency="CNY",
        to_currency="JPY",
        rounding=Rounding.DOWN,
    )
    assert quote.receive_amount_minor == 12_345
    assert got >= 12_345 > one_less
    assert (quote.expires_at - quote.created_at) == timedelta(seconds=30)
