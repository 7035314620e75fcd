"""``ledger_verify``: proves a sound ledger sound and names what is wrong in a broken one.

Corruption is made with raw SQL on ``ledger_account`` (transfers cannot be changed) or by
inserting a transfer row behind the services' back.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from okpay.ledger.models import AMOUNT_MAX, Transfer
from okpay.ledger.selectors import VerifyReport, ledger_verify
from okpay.ledger.tests.fixtures import (
    T0,
    MakeAccount,
    post,
    submit,
    transfer,
    void,
)
from okpay.ledger.types import CreateTransferResult as R

pytestmark = pytest.mark.django_db


def _sql(statement: str, params: tuple[Any, ...]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _naming(report: VerifyReport, word: str) -> list[str]:
    return [v for v in report.violations if word in v]


@pytest.fixture
def busy_ledger(funded_wallet: str, merchant: str, make_account: MakeAccount) -> None:
    """Every kind of movement, in USD and EUR, all through the services."""
    euro_bank = make_account("bank:EUR", currency="EUR", code="bank")
    euro_wallet = make_account(
        "wallet:euro", currency="EUR", flags={"debits_must_not_exceed_credits"}
    )
    specs = [
        transfer("t1", funded_wallet, merchant, 1_000),
        transfer("p-posted", funded_wallet, merchant, 2_000, flags={"pending"}),
        transfer("p-partial", funded_wallet, merchant, 1_500, flags={"pending"}),
        transfer("p-voided", funded_wallet, merchant, 700, flags={"pending"}),
        transfer("p-open", funded_wallet, merchant, 300, flags={"pending"}),
        transfer("p-expired", funded_wallet, merchant, 400, flags={"pending"}, timeout_seconds=10),
        post("c1", "p-posted"),
        post("c2", "p-partial", 900),
        void("v1", "p-voided"),
        transfer("e1", euro_bank, euro_wallet, 5_000, currency="EUR"),
        transfer("e2", euro_wallet, euro_bank, 1_250, currency="EUR", flags={"pending"}),
    ]
    assert submit(*specs, now=T0) == [R.CREATED] * len(specs)
    from okpay.ledger.services import pending_transfers_expire

    assert pending_transfers_expire(now=T0 + timedelta(seconds=11)) == 1


def test_empty_ledger_is_sound(db: None) -> None:
    report = ledger_verify()

    assert report.ok is True
    assert report.violations == []
    assert isinstance(report.summary, str)
    assert report.summary


def test_ledger_built_by_the_services_is_sound(busy_ledger: None) -> None:
    report = ledger_verify()

    assert report.violations == []
    assert report.ok is True


def test_bumped_credits_posted_is_reported_with_the_account(busy_ledger: None) -> None:
    # given the shop's posted credits are raised by 0.01 behind the ledger's back
    _sql(
        "UPDATE ledger_account SET credits_posted = credits_posted + 1 WHERE id = %s",
        ("merchant:shop",),
    )
    # when
    report = ledger_verify()
    # then both the account and the unbalanced currency are named
    assert report.ok is False
    assert _naming(report, "merchant:shop")
    assert _naming(report, "USD")
    assert not _naming(report, "wallet:euro")
    assert not _naming(report, "EUR")


def test_balanced_corruption_is_still_reported_per_account(busy_ledger: None) -> None:
    # given 5.00 moved between two accounts without a transfer: the currency still balances
    _sql(
        "UPDATE ledger_account SET debits_posted = debits_posted + 500 WHERE id = %s",
        ("wallet:alice",),
    )
    _sql(
        "UPDATE ledger_account SET credits_posted = credits_posted + 500 WHERE id = %s",
        ("merchant:shop",),
    )
    # when
    report = ledger_verify()
    # then
    assert report.ok is False
    assert _naming(report, "wallet:alice")
    assert _naming(report, "merchant:shop")
    assert not _naming(report, "bank:USD")


def test_bumped_pending_total_is_reported(busy_ledger: None) -> None:
    _sql(
        "UPDATE ledger_account SET debits_pending = debits_pending + 1 WHERE id = %s",
        ("wallet:euro",),
    )

    report = ledger_verify()

    assert report.ok is False
    assert _naming(report, "wallet:euro")
    assert not _naming(report, "merchant:shop")


def test_hold_left_after_expiry_is_reported(busy_ledger: None) -> None:
    # given the expired hold of 4.00 is put back on the shop's pending credits
    _sql(
        "UPDATE ledger_account SET credits_pending = credits_pending + 400 WHERE id = %s",
        ("merchant:shop",),
    )

    report = ledger_verify()

    assert report.ok is False
    assert _naming(report, "merchant:shop")


def test_hold_marked_resolved_without_release_is_reported(busy_ledger: None) -> None:
    # given the open hold p-open (3.00, alice -> shop) is marked expired, totals untouched
    _sql(
        "UPDATE ledger_pendingtransfer SET status = 'expired', resolved_at = %s "
        "WHERE transfer_id = %s",
        (connection.ops.adapt_datetimefield_value(T0), "p-open"),
    )

    report = ledger_verify()

    assert report.ok is False
    assert _naming(report, "wallet:alice")
    assert _naming(report, "merchant:shop")


def test_transfer_inserted_behind_the_ledger_is_reported(busy_ledger: None) -> None:
    # given a transfer row written without moving the account totals
    Transfer.objects.create(
        id="forged",
        debit_account_id="bank:USD",
        credit_account_id="wallet:alice",
        amount=1_000_000,
        currency="USD",
        code="deposit",
        created_at=T0,
    )
    # when
    report = ledger_verify()
    # then
    assert report.ok is False
    assert _naming(report, "bank:USD")
    assert _naming(report, "wallet:alice")
    assert not _naming(report, "merchant:shop")


@pytest.fixture
def account_checks_lifted() -> Iterator[None]:
    """Let raw SQL break the balance-limit CHECK, for this test only."""
    if connection.vendor == "sqlite":
        _sql("PRAGMA ignore_check_constraints = ON", ())
        try:
            yield
        finally:
            _sql("PRAGMA ignore_check_constraints = OFF", ())
    else:
        # DDL is transactional on PostgreSQL: the test's rollback restores the constraint.
        _sql("ALTER TABLE ledger_account DROP CONSTRAINT ledger_account_debits_within_credits", ())
        yield


def test_wallet_beyond_its_limit_is_reported(
    busy_ledger: None, account_checks_lifted: None
) -> None:
    # given alice overspends by a forged transfer whose totals are booked consistently
    Transfer.objects.create(
        id="overspend",
        debit_account_id="wallet:alice",
        credit_account_id="merchant:shop",
        amount=20_000,
        currency="USD",
        code="payment",
        created_at=T0,
    )
    _sql(
        "UPDATE ledger_account SET debits_posted = debits_posted + 20000 WHERE id = %s",
        ("wallet:alice",),
    )
    _sql(
        "UPDATE ledger_account SET credits_posted = credits_posted + 20000 WHERE id = %s",
        ("merchant:shop",),
    )
    # when
    report = ledger_verify()
    # then only the limit is broken, and it is alice's
    assert report.ok is False
    assert _naming(report, "wallet:alice")
    assert not _naming(report, "merchant:shop")


def test_totals_near_the_64_bit_limit_are_summed_exactly(make_account: MakeAccount) -> None:
    # given two pairs of accounts that each moved the largest possible amount
    a, b, c, d = (make_account(name, code="test") for name in ("a", "b", "c", "d"))
    assert submit(transfer("x1", a, b, AMOUNT_MAX), transfer("x2", c, d, AMOUNT_MAX)) == [
        R.CREATED,
        R.CREATED,
    ]
    # when the currency's totals (twice the 64-bit limit) are checked
    report = ledger_verify()
    # then
    assert report.violations == []
    assert report.ok is True
