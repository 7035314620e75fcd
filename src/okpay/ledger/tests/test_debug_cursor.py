"""The services that use Django's cursor work with its debug wrapper (debug mode, `okpay run`).

The debug wrapper formats each statement with its parameters to log it, so a statement
written with the driver's own placeholder would fail there and only there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from okpay.ledger.models import PendingStatus, PendingTransfer
from okpay.ledger.services import accounts_create, pending_transfers_expire, transfers_create
from okpay.ledger.types import AccountSpec, CreateAccountResult, TransferSpec

pytestmark = pytest.mark.django_db


def test_open_post_and_expire_with_the_debug_cursor(settings: Any) -> None:
    # given: debug mode, as under `okpay run`
    settings.DEBUG = True
    assert connection.queries_logged

    # when
    opened = accounts_create(
        accounts=[
            AccountSpec(id="dbg:bank", currency="CNY", code="bank"),
            AccountSpec(id="dbg:wallet", currency="CNY", code="wallet"),
        ]
    )
    again = accounts_create(accounts=[AccountSpec(id="dbg:bank", currency="CNY", code="bank")])
    (held,) = transfers_create(
        transfers=[
            TransferSpec(
                id="dbg:hold",
                debit_account_id="dbg:bank",
                credit_account_id="dbg:wallet",
                amount=500,
                currency="CNY",
                code="deposit",
                flags=frozenset({"pending"}),
                timeout_seconds=60,
            )
        ],
        now=timezone.now() - timedelta(hours=1),
    )
    expired = pending_transfers_expire()

    # then
    assert [r.status for r in opened] == [CreateAccountResult.CREATED] * 2
    assert [r.status for r in again] == [CreateAccountResult.EXISTS]
    assert held.ok
    assert expired == 1
    assert PendingTransfer.objects.get(transfer_id="dbg:hold").status == PendingStatus.EXPIRED
