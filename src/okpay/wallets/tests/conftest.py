"""Wallet fixtures: users made like sign-up makes them, wallets funded through top-ups."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from okpay.identity.client import NO_CLIENT
from okpay.identity.tests.fixtures import PASSWORD, make_user

HOLDER = "session:wallet-tests"


@pytest.fixture(autouse=True)
def wallets_world(db: None, settings: Any) -> None:
    """System accounts (a flush removes the migration's rows) and fresh demo FX rates."""
    from okpay.fx.services import demo_rates_load
    from okpay.wallets.services import system_accounts_ensure

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OKPAY_SANDBOX_BANK_DELAY_SECONDS = 120
    settings.OKPAY_SANDBOX_WITHDRAWAL_DELAY_SECONDS = 60
    settings.OKPAY_SANDBOX_PAYOUT_DELAY_SECONDS = 300
    settings.OKPAY_RAIL_TIMEOUT_SECONDS = 3600
    settings.OKPAY_SANDBOX_FORCE = ""
    system_accounts_ensure()
    demo_rates_load()


@pytest.fixture
def alice(db: None) -> Any:
    return make_user(
        "alice@example.com", display_name="Alice Zhang", country="CN", phone="+8613800138000"
    )


@pytest.fixture
def bob(db: None) -> Any:
    return make_user("bob@example.com", display_name="Bob Li", country="GB")


def fund(user: Any, currency: str, amount_minor: int, *, now: datetime | None = None) -> None:
    """Top up by bank transfer (free) and let the bank settle it."""
    from okpay.wallets.models import TransactionStatus
    from okpay.wallets.services import deposit_create, transaction_settle

    at = now or timezone.now()
    txn = deposit_create(
        user=user,
        amount_minor=amount_minor,
        currency=currency,
        funding_source="bank_transfer",
        now=at,
    )
    assert transaction_settle(transaction_id=txn.pk, now=at + timedelta(seconds=120)) == (
        TransactionStatus.COMPLETED
    )


def step_up(user: Any) -> None:
    from okpay.identity.services import step_up_verify

    step_up_verify(user=user, holder=HOLDER, client=NO_CLIENT, password=PASSWORD)


def available(user: Any, currency: str) -> int:
    from okpay.wallets.selectors import wallet_balances

    for balance in wallet_balances(user=user):
        if balance.currency == currency:
            return balance.available_minor
    return 0


def ledger_ok() -> bool:
    from okpay.ledger.selectors import ledger_verify

    report = ledger_verify()
    assert report.violations == []
    return report.ok
