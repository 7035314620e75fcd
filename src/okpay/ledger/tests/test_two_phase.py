"""Two-phase transfers: hold, then post (fully or partly) or void."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from okpay.ledger.models import PendingStatus, PendingTransfer, Transfer
from okpay.ledger.tests.fixtures import (
    T0,
    Totals,
    ledger_snapshot,
    post,
    submit,
    totals,
    transfer,
    void,
)
from okpay.ledger.types import CreateTransferResult as R
from okpay.ledger.types import TransferSpec

pytestmark = pytest.mark.django_db


@pytest.fixture
def hold(funded_wallet: str, merchant: str) -> str:
    """``p1``: 30.00 of alice's 100.00 held for the shop, without timeout."""
    pending = transfer("p1", funded_wallet, merchant, 3_000, flags={"pending"})
    assert submit(pending, now=T0) == [R.CREATED]
    return "p1"


def _status(pending_id: str) -> str:
    return PendingTransfer.objects.get(pk=pending_id).status


# --- pending -------------------------------------------------------------------------------


def test_pending_transfer_reserves_the_amount(funded_wallet: str, merchant: str) -> None:
    # when
    results = submit(transfer("p1", funded_wallet, merchant, 3_000, flags={"pending"}), now=T0)
    # then
    assert results == [R.CREATED]
    assert totals(funded_wallet) == Totals(debits_pending=3_000, credits_posted=10_000)
    assert totals(merchant) == Totals(credits_pending=3_000)
    state = PendingTransfer.objects.get(pk="p1")
    assert (state.status, state.expires_at, state.resolved_at) == (
        PendingStatus.PENDING,
        None,
        None,
    )
    assert Transfer.objects.get(pk="p1").flags == ["pending"]


def test_pending_transfer_with_timeout_expires_after_it(funded_wallet: str, merchant: str) -> None:
    spec = transfer("p1", funded_wallet, merchant, 3_000, flags={"pending"}, timeout_seconds=60)

    assert submit(spec, now=T0) == [R.CREATED]

    assert PendingTransfer.objects.get(pk="p1").expires_at == T0 + timedelta(seconds=60)
    assert Transfer.objects.get(pk="p1").timeout_seconds == 60


# --- post ----------------------------------------------------------------------------------


def test_post_with_zero_amount_posts_the_full_amount(
    hold: str, funded_wallet: str, merchant: str
) -> None:
    # when the hold is posted with amount 0 and no accounts named
    results = submit(post("c1", hold), now=T0 + timedelta(seconds=5))
    # then the whole 30.00 moves from pending to posted
    assert results == [R.CREATED]
    assert totals(funded_wallet) == Totals(debits_posted=3_000, credits_posted=10_000)
    assert totals(merchant) == Totals(credits_posted=3_000)
    assert _status(hold) == PendingStatus.POSTED
    assert PendingTransfer.objects.get(pk=hold).resolved_at is not None
    row = Transfer.objects.get(pk="c1")
    assert (row.debit_account_id, row.credit_account_id, row.amount) == (
        funded_wallet,
        merchant,
        3_000,
    )
    assert (row.currency, row.code, row.pending_id, row.flags) == (
        "USD",
        "payment",
        hold,
        ["post_pending_transfer"],
    )


def test_post_naming_all_fields_of_the_pending_transfer(
    hold: str, funded_wallet: str, merchant: str
) -> None:
    spec = post(
        "c1",
        hold,
        3_000,
        debit_account_id=funded_wallet,
        credit_account_id=merchant,
        currency="USD",
        code="payment",
    )

    assert submit(spec) == [R.CREATED]
    assert totals(merchant) == Totals(credits_posted=3_000)


def test_partial_post_releases_the_rest(hold: str, funded_wallet: str, merchant: str) -> None:
    # when only 12.00 of the 30.00 held is posted
    results = submit(post("c1", hold, 1_200))
    # then 12.00 is posted and 18.00 released
    assert results == [R.CREATED]
    assert totals(funded_wallet) == Totals(debits_posted=1_200, credits_posted=10_000)
    assert totals(merchant) == Totals(credits_posted=1_200)
    assert _status(hold) == PendingStatus.POSTED
    assert Transfer.objects.get(pk="c1").amount == 1_200


def test_released_part_of_a_partial_post_can_be_spent(funded_wallet: str, merchant: str) -> None:
    # given alice's whole 100.00 is held and 40.00 of it posted
    assert submit(transfer("p1", funded_wallet, merchant, 10_000, flags={"pending"})) == [R.CREATED]
    assert submit(post("c1", "p1", 4_000)) == [R.CREATED]
    # when she spends 60.00 and then 0.01
    results = submit(
        transfer("t1", funded_wallet, merchant, 6_000),
        transfer("t2", funded_wallet, merchant, 1),
    )
    # then
    assert results == [R.CREATED, R.EXCEEDS_CREDITS]
    assert totals(funded_wallet) == Totals(debits_posted=10_000, credits_posted=10_000)


def test_post_more_than_pending_is_refused(hold: str) -> None:
    before = ledger_snapshot()

    results = submit(post("c1", hold, 3_001))

    assert results == [R.EXCEEDS_PENDING_TRANSFER_AMOUNT]
    assert ledger_snapshot() == before


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"debit_account_id": "bank:USD"}, R.PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID),
        ({"credit_account_id": "bank:USD"}, R.PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID),
        ({"currency": "EUR"}, R.PENDING_TRANSFER_HAS_DIFFERENT_CURRENCY),
        ({"code": "refund"}, R.PENDING_TRANSFER_HAS_DIFFERENT_CODE),
    ],
    ids=["debit_account", "credit_account", "currency", "code"],
)
@pytest.mark.parametrize("resolve", [post, void], ids=["post", "void"])
def test_post_or_void_naming_other_fields_is_refused(
    hold: str, fields: dict[str, str], expected: R, resolve: Callable[..., TransferSpec]
) -> None:
    # given the hold p1 (alice -> shop, USD, code "payment")
    before = ledger_snapshot()
    # when
    results = submit(resolve("c1", hold, **fields))
    # then the hold is untouched and can still be posted
    assert results == [expected]
    assert ledger_snapshot() == before
    assert submit(post("c2", hold)) == [R.CREATED]


def test_post_of_an_unknown_pending_transfer_is_refused(hold: str) -> None:
    before = ledger_snapshot()

    results = submit(post("c1", "p-unknown"), void("v1", "p-unknown"))

    assert results == [R.PENDING_TRANSFER_NOT_FOUND, R.PENDING_TRANSFER_NOT_FOUND]
    assert ledger_snapshot() == before


def test_post_of_a_transfer_that_was_not_pending_is_refused(
    funded_wallet: str, merchant: str
) -> None:
    assert submit(transfer("t1", funded_wallet, merchant, 500)) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(post("c1", "t1"), void("v1", "t1"))

    assert results == [R.PENDING_TRANSFER_NOT_PENDING, R.PENDING_TRANSFER_NOT_PENDING]
    assert ledger_snapshot() == before


def test_post_of_a_post_is_refused(hold: str) -> None:
    assert submit(post("c1", hold)) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(post("c2", "c1"))

    assert results == [R.PENDING_TRANSFER_NOT_PENDING]
    assert ledger_snapshot() == before


def test_second_post_is_refused_as_already_posted(
    hold: str, funded_wallet: str, merchant: str
) -> None:
    # given p1 was posted by c1
    assert submit(post("c1", hold)) == [R.CREATED]
    before = ledger_snapshot()
    # when it is posted by c2 and voided by v1
    results = submit(post("c2", hold), void("v1", hold))
    # then the 30.00 moved once
    assert results == [R.PENDING_TRANSFER_ALREADY_POSTED, R.PENDING_TRANSFER_ALREADY_POSTED]
    assert ledger_snapshot() == before
    assert totals(merchant) == Totals(credits_posted=3_000)


def test_retry_of_a_post_returns_exists(hold: str, merchant: str) -> None:
    # given p1 was posted by c1 (amount 0, accounts not named)
    assert submit(post("c1", hold)) == [R.CREATED]
    before = ledger_snapshot()
    # when the very same request is sent again
    results = submit(post("c1", hold))
    # then
    assert results == [R.EXISTS]
    assert ledger_snapshot() == before


def test_retry_of_a_partial_post_returns_exists(hold: str) -> None:
    assert submit(post("c1", hold, 1_000)) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(post("c1", hold, 1_000))

    assert results == [R.EXISTS]
    assert ledger_snapshot() == before


def test_retry_of_a_post_with_another_amount_returns_exists_with_different_fields(
    hold: str,
) -> None:
    assert submit(post("c1", hold, 1_000)) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(post("c1", hold, 2_000))

    assert results == [R.EXISTS_WITH_DIFFERENT_FIELDS]
    assert ledger_snapshot() == before


def test_retry_of_a_pending_transfer_after_it_was_posted_returns_exists(
    hold: str, funded_wallet: str, merchant: str
) -> None:
    assert submit(post("c1", hold)) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(transfer(hold, funded_wallet, merchant, 3_000, flags={"pending"}))

    assert results == [R.EXISTS]
    assert ledger_snapshot() == before


# --- void ----------------------------------------------------------------------------------


def test_void_releases_the_whole_hold(hold: str, funded_wallet: str, merchant: str) -> None:
    # when
    results = submit(void("v1", hold))
    # then
    assert results == [R.CREATED]
    assert totals(funded_wallet) == Totals(credits_posted=10_000)
    assert totals(merchant) == Totals()
    assert _status(hold) == PendingStatus.VOIDED
    row = Transfer.objects.get(pk="v1")
    assert (row.debit_account_id, row.credit_account_id, row.pending_id, row.flags) == (
        funded_wallet,
        merchant,
        hold,
        ["void_pending_transfer"],
    )
    assert row.amount == 3_000


def test_void_naming_the_pending_amount(hold: str, merchant: str) -> None:
    assert submit(void("v1", hold, 3_000)) == [R.CREATED]
    assert totals(merchant) == Totals()


@pytest.mark.parametrize("amount", [1_000, 3_001], ids=["less", "more"])
def test_void_with_another_amount_is_refused(hold: str, amount: int) -> None:
    before = ledger_snapshot()

    results = submit(void("v1", hold, amount))

    assert results == [R.PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT]
    assert ledger_snapshot() == before


def test_voided_funds_can_be_spent_again(funded_wallet: str, merchant: str) -> None:
    assert submit(transfer("p1", funded_wallet, merchant, 10_000, flags={"pending"})) == [R.CREATED]
    assert submit(void("v1", "p1")) == [R.CREATED]

    results = submit(transfer("t1", funded_wallet, merchant, 10_000))

    assert results == [R.CREATED]
    assert totals(funded_wallet) == Totals(debits_posted=10_000, credits_posted=10_000)


def test_post_or_void_after_void_is_refused_as_already_voided(hold: str, merchant: str) -> None:
    assert submit(void("v1", hold)) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(post("c1", hold), void("v2", hold))

    assert results == [R.PENDING_TRANSFER_ALREADY_VOIDED, R.PENDING_TRANSFER_ALREADY_VOIDED]
    assert ledger_snapshot() == before
    assert totals(merchant) == Totals()


def test_retry_of_a_void_returns_exists(hold: str) -> None:
    assert submit(void("v1", hold)) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(void("v1", hold))

    assert results == [R.EXISTS]
    assert ledger_snapshot() == before
