"""Linked chains: consecutive ``linked`` transfers plus the next one succeed or fail together."""

from __future__ import annotations

import pytest

from okpay.ledger.models import PendingStatus, PendingTransfer, Transfer
from okpay.ledger.tests.fixtures import (
    WALLET_LIMIT,
    MakeAccount,
    Totals,
    ledger_snapshot,
    post,
    submit,
    totals,
    transfer,
    void,
)
from okpay.ledger.types import CreateTransferResult as R

pytestmark = pytest.mark.django_db

LINKED = {"linked"}


def test_chain_succeeds_as_a_whole(funded_wallet: str, merchant: str) -> None:
    # when three linked transfers (fee, payment, refund) are sent as one chain
    results = submit(
        transfer("t1", funded_wallet, merchant, 3_000, flags=LINKED),
        transfer("t2", funded_wallet, merchant, 100, flags=LINKED, code="fee"),
        transfer("t3", merchant, funded_wallet, 500, code="refund"),
    )
    # then
    assert results == [R.CREATED, R.CREATED, R.CREATED]
    assert totals(funded_wallet) == Totals(debits_posted=3_100, credits_posted=10_500)
    assert totals(merchant) == Totals(debits_posted=500, credits_posted=3_100)
    assert Transfer.objects.get(pk="t1").flags == ["linked"]
    assert Transfer.objects.get(pk="t3").flags == []


def test_failure_in_the_middle_rolls_back_the_whole_chain(
    funded_wallet: str, merchant: str
) -> None:
    before = ledger_snapshot()
    # when the second of three linked transfers would overdraw the wallet
    results = submit(
        transfer("t1", funded_wallet, merchant, 3_000, flags=LINKED),
        transfer("t2", funded_wallet, merchant, 8_000, flags=LINKED),
        transfer("t3", funded_wallet, merchant, 100),
    )
    # then t2 names the reason, the others are linked_event_failed and nothing is applied
    assert results == [R.LINKED_EVENT_FAILED, R.EXCEEDS_CREDITS, R.LINKED_EVENT_FAILED]
    assert ledger_snapshot() == before


def test_failure_of_the_first_transfer_fails_the_chain(funded_wallet: str, merchant: str) -> None:
    before = ledger_snapshot()

    results = submit(
        transfer("t1", funded_wallet, merchant, 100, flags=LINKED, currency="EUR"),
        transfer("t2", funded_wallet, merchant, 100),
    )

    assert results == [R.CURRENCY_MISMATCH, R.LINKED_EVENT_FAILED]
    assert ledger_snapshot() == before


def test_failure_of_the_last_transfer_fails_the_chain(funded_wallet: str, merchant: str) -> None:
    before = ledger_snapshot()

    results = submit(
        transfer("t1", funded_wallet, merchant, 100, flags=LINKED),
        transfer("t2", funded_wallet, "merchant:ghost", 100),
    )

    assert results == [R.LINKED_EVENT_FAILED, R.CREDIT_ACCOUNT_NOT_FOUND]
    assert ledger_snapshot() == before


def test_invalid_input_in_a_chain_fails_the_chain(funded_wallet: str, merchant: str) -> None:
    before = ledger_snapshot()

    results = submit(
        transfer("t1", funded_wallet, merchant, 100, flags=LINKED),
        transfer("t2", funded_wallet, merchant, 0),
    )

    assert results == [R.LINKED_EVENT_FAILED, R.AMOUNT_MUST_NOT_BE_ZERO]
    assert ledger_snapshot() == before


def test_chain_left_open_at_the_end_of_the_batch_fails(funded_wallet: str, merchant: str) -> None:
    # when the batch ends with a linked transfer
    results = submit(
        transfer("t0", funded_wallet, merchant, 100),
        transfer("t1", funded_wallet, merchant, 200, flags=LINKED),
        transfer("t2", funded_wallet, merchant, 300, flags=LINKED),
    )
    # then the open chain fails; the independent transfer before it is applied
    assert results == [R.CREATED, R.LINKED_EVENT_FAILED, R.LINKED_EVENT_CHAIN_OPEN]
    assert totals(merchant) == Totals(credits_posted=100)
    assert set(Transfer.objects.filter(pk__startswith="t").values_list("id", flat=True)) == {"t0"}


def test_single_linked_transfer_is_an_open_chain(funded_wallet: str, merchant: str) -> None:
    before = ledger_snapshot()

    results = submit(transfer("t1", funded_wallet, merchant, 100, flags=LINKED))

    assert results == [R.LINKED_EVENT_CHAIN_OPEN]
    assert ledger_snapshot() == before


def test_two_chains_in_one_batch_are_independent(funded_wallet: str, merchant: str) -> None:
    # when the first chain fails and the second is valid
    results = submit(
        transfer("a1", funded_wallet, merchant, 100, flags=LINKED),
        transfer("a2", funded_wallet, merchant, 20_000),
        transfer("b1", funded_wallet, merchant, 200, flags=LINKED),
        transfer("b2", funded_wallet, merchant, 300),
    )
    # then only the second chain is applied
    assert results == [R.LINKED_EVENT_FAILED, R.EXCEEDS_CREDITS, R.CREATED, R.CREATED]
    assert totals(merchant) == Totals(credits_posted=500)
    assert set(Transfer.objects.filter(pk__regex=r"^[ab]\d$").values_list("id", flat=True)) == {
        "b1",
        "b2",
    }


def test_failed_chain_does_not_break_the_chain_before_it(funded_wallet: str, merchant: str) -> None:
    results = submit(
        transfer("a1", funded_wallet, merchant, 100, flags=LINKED),
        transfer("a2", funded_wallet, merchant, 200),
        transfer("b1", funded_wallet, merchant, 300, flags=LINKED),
        transfer("b2", funded_wallet, merchant, 0),
    )

    assert results == [R.CREATED, R.CREATED, R.LINKED_EVENT_FAILED, R.AMOUNT_MUST_NOT_BE_ZERO]
    assert totals(merchant) == Totals(credits_posted=300)


def test_chain_creates_a_pending_transfer_and_posts_it(funded_wallet: str, merchant: str) -> None:
    results = submit(
        transfer("p1", funded_wallet, merchant, 3_000, flags={"pending", "linked"}),
        post("c1", "p1", 2_000),
    )

    assert results == [R.CREATED, R.CREATED]
    assert totals(funded_wallet) == Totals(debits_posted=2_000, credits_posted=10_000)
    assert totals(merchant) == Totals(credits_posted=2_000)
    assert PendingTransfer.objects.get(pk="p1").status == PendingStatus.POSTED


def test_failed_chain_with_pending_and_post_leaves_no_trace(
    funded_wallet: str, merchant: str
) -> None:
    before = ledger_snapshot()

    results = submit(
        transfer("p1", funded_wallet, merchant, 3_000, flags={"pending", "linked"}),
        post("c1", "p1", flags=LINKED),
        transfer("t1", funded_wallet, merchant, 7_001),
    )

    assert results == [R.LINKED_EVENT_FAILED, R.LINKED_EVENT_FAILED, R.EXCEEDS_CREDITS]
    assert ledger_snapshot() == before
    assert not PendingTransfer.objects.filter(pk="p1").exists()


def test_failed_chain_puts_back_a_void(funded_wallet: str, merchant: str) -> None:
    # given a hold of 30.00
    assert submit(transfer("p1", funded_wallet, merchant, 3_000, flags={"pending"})) == [R.CREATED]
    before = ledger_snapshot()
    # when a chain voids it and then fails
    results = submit(void("v1", "p1", flags=LINKED), transfer("t1", funded_wallet, merchant, 0))
    # then the hold is still pending and can be posted
    assert results == [R.LINKED_EVENT_FAILED, R.AMOUNT_MUST_NOT_BE_ZERO]
    assert ledger_snapshot() == before
    assert PendingTransfer.objects.get(pk="p1").status == PendingStatus.PENDING
    assert submit(post("c1", "p1")) == [R.CREATED]


def test_later_transfer_sees_nothing_of_a_failed_chain(
    make_account: MakeAccount, merchant: str
) -> None:
    # given bob's empty wallet
    bob = make_account("wallet:bob", flags=WALLET_LIMIT)
    bank = make_account("bank:USD", code="bank")
    # when a failing chain would have funded him, and he then spends
    results = submit(
        transfer("in", bank, bob, 500, flags=LINKED),
        transfer("fee", bank, bob, 1, currency="EUR"),
        transfer("out", bob, merchant, 500),
    )
    # then
    assert results == [R.LINKED_EVENT_FAILED, R.CURRENCY_MISMATCH, R.EXCEEDS_CREDITS]
    assert totals(bob) == Totals()


def test_existing_transfer_in_a_chain_fails_the_chain(funded_wallet: str, merchant: str) -> None:
    # given t1 and t2 were created as a chain
    t1 = transfer("t1", funded_wallet, merchant, 100, flags=LINKED)
    assert submit(t1, transfer("t2", funded_wallet, merchant, 200)) == [R.CREATED, R.CREATED]
    before = ledger_snapshot()
    # when t1 is sent again at the head of a new chain
    results = submit(t1, transfer("t3", funded_wallet, merchant, 300))
    # then
    assert results == [R.EXISTS, R.LINKED_EVENT_FAILED]
    assert ledger_snapshot() == before


def test_ids_of_a_failed_chain_can_be_used_again(funded_wallet: str, merchant: str) -> None:
    # given a chain that failed
    assert submit(
        transfer("t1", funded_wallet, merchant, 100, flags=LINKED),
        transfer("t2", funded_wallet, merchant, 20_000),
    ) == [R.LINKED_EVENT_FAILED, R.EXCEEDS_CREDITS]
    # when it is corrected and sent again
    results = submit(
        transfer("t1", funded_wallet, merchant, 100, flags=LINKED),
        transfer("t2", funded_wallet, merchant, 2_000),
    )
    # then
    assert results == [R.CREATED, R.CREATED]
    assert totals(merchant) == Totals(credits_posted=2_100)
