"""Many parallel sends from one wallet never overdraw it (PostgreSQL, real threads)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from okpay.errors import OkpayError
from okpay.wallets.models import Transaction
from okpay.wallets.services import p2p_send
from okpay.wallets.tests.conftest import HOLDER, available, fund, ledger_ok


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_sends_never_overdraw_the_wallet(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)

    def one(index: int) -> str:
        try:
            p2p_send(
                user=alice,
                holder=HOLDER,
                recipient="bob@example.com",
                amount_minor=1_500,
                currency="USD",
                client_reference=f"c-{index}",
            )
            return "sent"
        except OkpayError as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(one, range(16)))

    assert outcomes.count("sent") == 6  # 6 × 15.00 ≤ 100.00 < 7 × 15.00
    assert outcomes.count("insufficient_funds") == 10
    assert available(alice, "USD") == 1_000
    assert available(bob, "USD") == 9_000
    assert Transaction.objects.filter(user=alice, type="p2p_send").count() == 6
    assert ledger_ok()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_sends_never_pass_the_daily_limit(alice: Any, bob: Any) -> None:
    # given: plenty of money, but a daily P2P limit that fits exactly four sends
    from okpay.limits.services import limit_rule_set

    fund(alice, "USD", 100_000)
    limit_rule_set(transaction_type="p2p_send", currency="USD", daily_minor=6_000)

    def one(index: int) -> str:
        try:
            p2p_send(
                user=alice,
                holder=HOLDER,
                recipient="bob@example.com",
                amount_minor=1_500,
                currency="USD",
                client_reference=f"d-{index}",
            )
            return "sent"
        except OkpayError as error:
            return error.code
        finally:
            connection.close()

    # when: twelve sends race from eight threads
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(one, range(12)))

    # then: exactly four got through, however the threads interleaved
    assert outcomes.count("sent") == 4
    assert outcomes.count("limit_exceeded") == 8
    assert Transaction.objects.filter(user=alice, type="p2p_send").count() == 4
    assert available(bob, "USD") == 6_000
    assert ledger_ok()
