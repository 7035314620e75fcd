"""The database itself refuses to rewrite ledger history or break an account's limits.

Every refused statement runs in its own savepoint: on PostgreSQL an error would otherwise
abort the test's transaction.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from okpay.ledger.models import Account, PendingStatus, PendingTransfer, Transfer
from okpay.ledger.tests.fixtures import (
    CREDIT_LIMIT,
    T0,
    MakeAccount,
    Totals,
    post,
    submit,
    totals,
    transfer,
    void,
)
from okpay.ledger.types import CreateTransferResult as R

pytestmark = pytest.mark.django_db


def _refused(sql: str, params: tuple[Any, ...] = ()) -> DatabaseError:
    """Run raw SQL that the database must refuse; return the error it raised."""
    with (
        pytest.raises(DatabaseError) as excinfo,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    return excinfo.value


def _transfer_row(transfer_id: str) -> tuple[Any, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, debit_account_id, credit_account_id, amount, currency, code "
            "FROM ledger_transfer WHERE id = %s",
            (transfer_id,),
        )
        return tuple(cursor.fetchone() or ())


@pytest.fixture
def payment(funded_wallet: str, merchant: str) -> str:
    assert submit(transfer("t1", funded_wallet, merchant, 2_500)) == [R.CREATED]
    return "t1"


# --- transfers -----------------------------------------------------------------------------


def test_raw_update_of_a_transfer_is_refused(payment: str) -> None:
    before = _transfer_row(payment)

    error = _refused("UPDATE ledger_transfer SET amount = 1 WHERE id = %s", (payment,))

    assert "immutable" in str(error)
    assert (
        _transfer_row(payment)
        == before
        == (payment, "wallet:alice", "merchant:shop", 2_500, "USD", "payment")
    )


def test_raw_update_of_a_harmless_column_is_refused_too(payment: str) -> None:
    error = _refused("UPDATE ledger_transfer SET code = 'refund' WHERE id = %s", (payment,))

    assert "immutable" in str(error)
    assert Transfer.objects.get(pk=payment).code == "payment"


def test_raw_delete_of_a_transfer_is_refused(payment: str) -> None:
    error = _refused("DELETE FROM ledger_transfer WHERE id = %s", (payment,))

    assert "immutable" in str(error)
    assert Transfer.objects.filter(pk=payment).count() == 1


def test_orm_update_and_delete_of_transfers_are_refused(payment: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        Transfer.objects.filter(pk=payment).update(amount=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Transfer.objects.filter(pk=payment).delete()

    assert Transfer.objects.get(pk=payment).amount == 2_500


def test_transfer_with_zero_amount_cannot_be_inserted(funded_wallet: str, merchant: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            id="raw-1",
            debit_account_id=funded_wallet,
            credit_account_id=merchant,
            amount=0,
            currency="USD",
            code="payment",
            created_at=T0,
        )

    assert not Transfer.objects.filter(pk="raw-1").exists()


def test_transfer_id_cannot_be_inserted_twice(payment: str, merchant: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.bulk_create(
            [
                Transfer(
                    id=payment,
                    debit_account_id=merchant,
                    credit_account_id="wallet:alice",
                    amount=1,
                    currency="USD",
                    code="payment",
                    created_at=T0,
                )
            ]
        )

    assert Transfer.objects.get(pk=payment).amount == 2_500


# --- account balance limits ----------------------------------------------------------------


def test_raw_update_overdrawing_a_wallet_is_refused(payment: str, funded_wallet: str) -> None:
    # given alice: 100.00 credited, 25.00 debited
    before = totals(funded_wallet)
    # when her debits are pushed past her credits
    error = _refused(
        "UPDATE ledger_account SET debits_posted = credits_posted + 1 WHERE id = %s",
        (funded_wallet,),
    )
    # then
    assert isinstance(error, IntegrityError)
    assert totals(funded_wallet) == before == Totals(debits_posted=2_500, credits_posted=10_000)


def test_raw_update_overdrawing_a_wallet_through_pending_debits_is_refused(
    payment: str, funded_wallet: str
) -> None:
    before = totals(funded_wallet)

    error = _refused(
        "UPDATE ledger_account SET debits_pending = credits_posted - debits_posted + 1 "
        "WHERE id = %s",
        (funded_wallet,),
    )

    assert isinstance(error, IntegrityError)
    assert totals(funded_wallet) == before


def test_raw_update_over_crediting_a_credit_limited_account_is_refused(
    make_account: MakeAccount,
) -> None:
    loan = make_account("loan:1", code="loan", flags=CREDIT_LIMIT)

    error = _refused("UPDATE ledger_account SET credits_posted = 1 WHERE id = %s", (loan,))

    assert isinstance(error, IntegrityError)
    assert totals(loan) == Totals()


def test_raw_update_to_a_negative_total_is_refused(merchant: str) -> None:
    error = _refused("UPDATE ledger_account SET credits_pending = -1 WHERE id = %s", (merchant,))

    assert isinstance(error, IntegrityError)
    assert totals(merchant) == Totals()


def test_raw_update_setting_both_limit_flags_is_refused(funded_wallet: str) -> None:
    error = _refused(
        "UPDATE ledger_account SET credits_must_not_exceed_debits = %s WHERE id = %s",
        (True, funded_wallet),
    )

    assert isinstance(error, IntegrityError)
    assert Account.objects.get(pk=funded_wallet).credits_must_not_exceed_debits is False


def test_unconstrained_account_may_go_below_zero(merchant: str) -> None:
    # the limits bind only accounts that carry a flag: the bank side of a deposit goes negative
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_account SET debits_posted = 500 WHERE id = %s", (merchant,))

    assert totals(merchant) == Totals(debits_posted=500)


# --- pending state -------------------------------------------------------------------------


@pytest.fixture
def hold(funded_wallet: str, merchant: str) -> str:
    spec = transfer("p1", funded_wallet, merchant, 3_000, flags={"pending"}, timeout_seconds=60)
    assert submit(spec, now=T0) == [R.CREATED]
    return "p1"


@pytest.mark.parametrize(
    ("resolve", "status", "other"),
    [
        (post, PendingStatus.POSTED, PendingStatus.VOIDED),
        (void, PendingStatus.VOIDED, PendingStatus.POSTED),
    ],
    ids=["posted", "voided"],
)
def test_resolved_pending_state_cannot_move_again(
    hold: str, resolve: Any, status: str, other: str
) -> None:
    # given the hold was resolved once
    assert submit(resolve("r1", hold), now=T0) == [R.CREATED]
    # when its state is moved again, or back to pending
    again = _refused(
        "UPDATE ledger_pendingtransfer SET status = %s WHERE transfer_id = %s", (other, hold)
    )
    back = _refused(
        "UPDATE ledger_pendingtransfer SET status = 'pending', resolved_at = NULL "
        "WHERE transfer_id = %s",
        (hold,),
    )
    # then
    assert "cannot change" in str(again)
    assert "cannot change" in str(back)
    assert PendingTransfer.objects.get(pk=hold).status == status


def test_expired_pending_state_cannot_move_again(hold: str) -> None:
    from datetime import timedelta

    from okpay.ledger.services import pending_transfers_expire

    assert pending_transfers_expire(now=T0 + timedelta(seconds=61)) == 1

    error = _refused(
        "UPDATE ledger_pendingtransfer SET status = 'posted' WHERE transfer_id = %s", (hold,)
    )

    assert "cannot change" in str(error)
    assert PendingTransfer.objects.get(pk=hold).status == PendingStatus.EXPIRED


def test_pending_deadline_cannot_be_moved(hold: str) -> None:
    error = _refused(
        "UPDATE ledger_pendingtransfer SET expires_at = %s WHERE transfer_id = %s",
        (connection.ops.adapt_datetimefield_value(timezone.now()), hold),
    )

    assert "cannot change" in str(error)
    assert PendingTransfer.objects.get(pk=hold).status == PendingStatus.PENDING


def test_pending_state_cannot_be_deleted(hold: str) -> None:
    error = _refused("DELETE FROM ledger_pendingtransfer WHERE transfer_id = %s", (hold,))

    assert "permanent" in str(error)
    assert PendingTransfer.objects.filter(pk=hold).count() == 1
