"""Single-phase transfers: every result code as a worked example, with balances."""

from __future__ import annotations

import pytest

from okpay.ledger.models import AMOUNT_MAX, Transfer
from okpay.ledger.tests.fixtures import (
    CREDIT_LIMIT,
    T0,
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
from okpay.ledger.types import TransferSpec

pytestmark = pytest.mark.django_db


@pytest.fixture
def euro_wallet(make_account: MakeAccount) -> str:
    return make_account("wallet:euro", currency="EUR")


@pytest.fixture
def loan(make_account: MakeAccount) -> str:
    """``loan:1``: USD, its credits may never exceed its debits."""
    return make_account("loan:1", code="loan", flags=CREDIT_LIMIT)


# --- created -------------------------------------------------------------------------------


def test_transfer_moves_posted_totals_of_both_accounts(funded_wallet: str, merchant: str) -> None:
    # given alice holds 100.00
    # when she pays the merchant 25.00
    results = submit(transfer("t1", funded_wallet, merchant, 2_500), now=T0)
    # then
    assert results == [R.CREATED]
    assert totals(funded_wallet) == Totals(debits_posted=2_500, credits_posted=10_000)
    assert totals(merchant) == Totals(credits_posted=2_500)
    row = Transfer.objects.get(pk="t1")
    assert (row.debit_account_id, row.credit_account_id, row.amount) == (
        funded_wallet,
        merchant,
        2_500,
    )
    assert (row.currency, row.code, row.flags, row.pending_id) == ("USD", "payment", [], None)
    assert row.created_at == T0


def test_transfer_of_the_whole_balance_is_allowed(funded_wallet: str, merchant: str) -> None:
    results = submit(transfer("t1", funded_wallet, merchant, 10_000))

    assert results == [R.CREATED]
    assert totals(funded_wallet) == Totals(debits_posted=10_000, credits_posted=10_000)


def test_transfer_stores_metadata(funded_wallet: str, merchant: str) -> None:
    spec = TransferSpec(
        id="t1",
        debit_account_id=funded_wallet,
        credit_account_id=merchant,
        amount=1,
        currency="USD",
        code="payment",
        metadata={"order": "A-17"},
    )

    assert submit(spec) == [R.CREATED]
    assert Transfer.objects.get(pk="t1").metadata == {"order": "A-17"}


def test_independent_transfers_in_a_batch_succeed_or_fail_alone(
    funded_wallet: str, merchant: str
) -> None:
    # when the second of three transfers would overdraw the wallet
    results = submit(
        transfer("t1", funded_wallet, merchant, 6_000),
        transfer("t2", funded_wallet, merchant, 6_000),
        transfer("t3", funded_wallet, merchant, 4_000),
    )
    # then the others are applied, in order
    assert results == [R.CREATED, R.EXCEEDS_CREDITS, R.CREATED]
    assert totals(funded_wallet) == Totals(debits_posted=10_000, credits_posted=10_000)
    assert totals(merchant) == Totals(credits_posted=10_000)
    assert set(Transfer.objects.filter(pk__startswith="t").values_list("id", flat=True)) == {
        "t1",
        "t3",
    }


def test_a_transfer_sees_the_earlier_transfers_of_its_batch(
    make_account: MakeAccount, merchant: str
) -> None:
    # given an empty wallet and a bank
    wallet = make_account("wallet:bob", flags={"debits_must_not_exceed_credits"})
    bank = make_account("bank:USD", code="bank")
    # when one batch funds the wallet and spends from it
    results = submit(transfer("in", bank, wallet, 500), transfer("out", wallet, merchant, 500))
    # then
    assert results == [R.CREATED, R.CREATED]
    assert totals(wallet) == Totals(debits_posted=500, credits_posted=500)


def test_empty_batch_returns_no_results(db: None) -> None:
    assert submit() == []


# --- exists --------------------------------------------------------------------------------


def test_retry_with_same_fields_returns_exists_whatever_the_balance(
    funded_wallet: str, merchant: str
) -> None:
    # given alice spent everything with t1
    spec = transfer("t1", funded_wallet, merchant, 10_000)
    assert submit(spec) == [R.CREATED]
    before = ledger_snapshot()
    # when t1 is sent again (it would now exceed her credits)
    results = submit(spec)
    # then it is recognised, and applied only once
    assert results == [R.EXISTS]
    assert ledger_snapshot() == before
    assert totals(merchant) == Totals(credits_posted=10_000)


def test_retry_twice_in_one_batch_is_applied_once(funded_wallet: str, merchant: str) -> None:
    spec = transfer("t1", funded_wallet, merchant, 700)

    results = submit(spec, spec)

    assert results == [R.CREATED, R.EXISTS]
    assert totals(merchant) == Totals(credits_posted=700)


@pytest.mark.parametrize(
    "changed",
    [
        transfer("t1", "wallet:alice", "merchant:shop", 701),
        transfer("t1", "wallet:alice", "bank:USD", 700),
        transfer("t1", "bank:USD", "merchant:shop", 700),
        transfer("t1", "wallet:alice", "merchant:shop", 700, code="refund"),
        transfer("t1", "wallet:alice", "merchant:shop", 700, flags={"pending"}),
    ],
    ids=["amount", "credit_account", "debit_account", "code", "flags"],
)
def test_retry_with_other_fields_returns_exists_with_different_fields(
    funded_wallet: str, merchant: str, changed: TransferSpec
) -> None:
    # given
    assert submit(transfer("t1", funded_wallet, merchant, 700)) == [R.CREATED]
    before = ledger_snapshot()
    # when
    results = submit(changed)
    # then
    assert results == [R.EXISTS_WITH_DIFFERENT_FIELDS]
    assert ledger_snapshot() == before
    assert Transfer.objects.get(pk="t1").amount == 700


def test_retry_of_a_refused_transfer_is_tried_again(funded_wallet: str, merchant: str) -> None:
    # given t2 was refused because the wallet held too little
    spend = transfer("t2", funded_wallet, merchant, 15_000)
    assert submit(spend) == [R.EXCEEDS_CREDITS]
    # when the wallet is topped up and t2 is sent again
    assert submit(transfer("top-up", "bank:USD", funded_wallet, 5_000)) == [R.CREATED]
    results = submit(spend)
    # then a refused transfer left no trace: it is created now
    assert results == [R.CREATED]
    assert totals(funded_wallet) == Totals(debits_posted=15_000, credits_posted=15_000)


# --- static validation ---------------------------------------------------------------------

ALICE = "wallet:alice"
SHOP = "merchant:shop"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (transfer("", ALICE, SHOP, 100), R.ID_MUST_NOT_BE_EMPTY),
        (transfer("t" * 65, ALICE, SHOP, 100), R.ID_TOO_LONG),
        (transfer("t1", ALICE, ALICE, 100), R.ACCOUNTS_MUST_BE_DIFFERENT),
        (transfer("t1", "", SHOP, 100), R.DEBIT_ACCOUNT_ID_MUST_NOT_BE_EMPTY),
        (transfer("t1", ALICE, "", 100), R.CREDIT_ACCOUNT_ID_MUST_NOT_BE_EMPTY),
        (
            transfer("t1", "", SHOP, 100, flags={"pending"}),
            R.DEBIT_ACCOUNT_ID_MUST_NOT_BE_EMPTY,
        ),
        (
            transfer("t1", ALICE, "", 100, flags={"pending"}),
            R.CREDIT_ACCOUNT_ID_MUST_NOT_BE_EMPTY,
        ),
        (transfer("t1", ALICE, SHOP, 100, code=""), R.CODE_MUST_NOT_BE_EMPTY),
        (transfer("t1", ALICE, SHOP, 100, code="c" * 33), R.CODE_TOO_LONG),
        (transfer("t1", ALICE, SHOP, 100, currency="ZZZ"), R.CURRENCY_NOT_SUPPORTED),
        (transfer("t1", ALICE, SHOP, 0), R.AMOUNT_MUST_NOT_BE_ZERO),
        (transfer("t1", ALICE, SHOP, -5), R.AMOUNT_MUST_NOT_BE_NEGATIVE),
        (transfer("t1", ALICE, SHOP, 100, flags={"instant"}), R.UNKNOWN_FLAG),
        (
            transfer("t1", ALICE, SHOP, 100, flags={"pending", "post_pending_transfer"}),
            R.FLAGS_ARE_MUTUALLY_EXCLUSIVE,
        ),
        (
            post("t1", "p1", flags={"void_pending_transfer"}),
            R.FLAGS_ARE_MUTUALLY_EXCLUSIVE,
        ),
        (transfer("t1", ALICE, SHOP, 100, pending_id="p1"), R.PENDING_ID_MUST_BE_EMPTY),
        (
            transfer("t1", ALICE, SHOP, 100, flags={"pending"}, pending_id="p1"),
            R.PENDING_ID_MUST_BE_EMPTY,
        ),
        (post("t1", pending_id=None), R.PENDING_ID_REQUIRED),
        (void("t1", pending_id=None), R.PENDING_ID_REQUIRED),
        (post("t1", "t1"), R.PENDING_ID_MUST_BE_DIFFERENT),
        (void("t1", "t1"), R.PENDING_ID_MUST_BE_DIFFERENT),
        (
            transfer("t1", ALICE, SHOP, 100, timeout_seconds=60),
            R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER,
        ),
        (post("t1", "p1", timeout_seconds=60), R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER),
    ],
    ids=[
        "empty_id",
        "long_id",
        "same_accounts",
        "empty_debit",
        "empty_credit",
        "pending_empty_debit",
        "pending_empty_credit",
        "empty_code",
        "long_code",
        "unknown_currency",
        "zero_amount",
        "negative_amount",
        "unknown_flag",
        "pending_and_post",
        "post_and_void",
        "regular_with_pending_id",
        "pending_with_pending_id",
        "post_without_pending_id",
        "void_without_pending_id",
        "post_pending_id_is_own_id",
        "void_pending_id_is_own_id",
        "regular_with_timeout",
        "post_with_timeout",
    ],
)
def test_invalid_transfer_is_refused_and_changes_nothing(
    funded_wallet: str, merchant: str, spec: TransferSpec, expected: R
) -> None:
    # given alice's wallet, the shop and a pending transfer p1 of 10.00
    pending = transfer("p1", funded_wallet, merchant, 1_000, flags={"pending"})
    assert submit(pending) == [R.CREATED]
    before = ledger_snapshot()
    # when
    results = submit(spec)
    # then
    assert results == [expected]
    assert ledger_snapshot() == before


def test_id_of_exactly_64_characters_is_accepted(funded_wallet: str, merchant: str) -> None:
    assert submit(transfer("t" * 64, funded_wallet, merchant, 1)) == [R.CREATED]
    assert Transfer.objects.filter(pk="t" * 64).count() == 1


def test_static_validation_comes_before_the_exists_check(funded_wallet: str, merchant: str) -> None:
    # given t1 exists
    assert submit(transfer("t1", funded_wallet, merchant, 100)) == [R.CREATED]
    # when t1 is sent again with a zero amount
    results = submit(transfer("t1", funded_wallet, merchant, 0))
    # then the input error is reported, not the conflict
    assert results == [R.AMOUNT_MUST_NOT_BE_ZERO]


def test_timeout_beyond_any_date_is_refused(funded_wallet: str, merchant: str) -> None:
    before = ledger_snapshot()

    results = submit(
        transfer("p1", funded_wallet, merchant, 100, flags={"pending"}, timeout_seconds=2**40),
        now=T0,
    )

    assert results == [R.OVERFLOWS_TIMEOUT]
    assert ledger_snapshot() == before


# --- accounts and currency -----------------------------------------------------------------


def test_unknown_debit_account_is_refused(merchant: str) -> None:
    before = ledger_snapshot()

    results = submit(transfer("t1", "wallet:ghost", merchant, 100))

    assert results == [R.DEBIT_ACCOUNT_NOT_FOUND]
    assert ledger_snapshot() == before


def test_unknown_credit_account_is_refused(funded_wallet: str) -> None:
    before = ledger_snapshot()

    results = submit(transfer("t1", funded_wallet, "merchant:ghost", 100))

    assert results == [R.CREDIT_ACCOUNT_NOT_FOUND]
    assert ledger_snapshot() == before


def test_debit_account_is_looked_up_before_credit_account(db: None) -> None:
    results = submit(transfer("t1", "wallet:ghost", "merchant:ghost", 100))

    assert results == [R.DEBIT_ACCOUNT_NOT_FOUND]
    assert Transfer.objects.count() == 0


def test_transfer_currency_must_match_the_accounts(funded_wallet: str, merchant: str) -> None:
    before = ledger_snapshot()

    results = submit(transfer("t1", funded_wallet, merchant, 100, currency="EUR"))

    assert results == [R.CURRENCY_MISMATCH]
    assert ledger_snapshot() == before


@pytest.mark.parametrize("currency", ["USD", "EUR"])
def test_accounts_in_different_currencies_cannot_be_linked_by_a_transfer(
    funded_wallet: str, euro_wallet: str, currency: str
) -> None:
    before = ledger_snapshot()

    results = submit(transfer("t1", funded_wallet, euro_wallet, 100, currency=currency))

    assert results == [R.CURRENCY_MISMATCH]
    assert ledger_snapshot() == before


def test_account_lookup_comes_before_currency_check(funded_wallet: str) -> None:
    results = submit(transfer("t1", funded_wallet, "wallet:ghost", 100, currency="EUR"))

    assert results == [R.CREDIT_ACCOUNT_NOT_FOUND]


# --- balance limits ------------------------------------------------------------------------


def test_debit_beyond_credits_is_refused(funded_wallet: str, merchant: str) -> None:
    # given alice holds 100.00
    before = ledger_snapshot()
    # when she tries to pay 100.01
    results = submit(transfer("t1", funded_wallet, merchant, 10_001))
    # then
    assert results == [R.EXCEEDS_CREDITS]
    assert ledger_snapshot() == before
    assert totals(funded_wallet) == Totals(credits_posted=10_000)


def test_pending_debits_count_against_the_limit(funded_wallet: str, merchant: str) -> None:
    # given 60.00 of alice's 100.00 are held
    assert submit(transfer("hold", funded_wallet, merchant, 6_000, flags={"pending"})) == [
        R.CREATED
    ]
    before = ledger_snapshot()
    # when she pays 40.01, then 40.00
    refused = submit(transfer("t1", funded_wallet, merchant, 4_001))
    after_refusal = ledger_snapshot()
    accepted = submit(transfer("t2", funded_wallet, merchant, 4_000))
    # then
    assert refused == [R.EXCEEDS_CREDITS]
    assert after_refusal == before
    assert accepted == [R.CREATED]
    assert totals(funded_wallet) == Totals(
        debits_pending=6_000, debits_posted=4_000, credits_posted=10_000
    )


def test_pending_debit_beyond_credits_is_refused(funded_wallet: str, merchant: str) -> None:
    before = ledger_snapshot()

    results = submit(transfer("p1", funded_wallet, merchant, 10_001, flags={"pending"}))

    assert results == [R.EXCEEDS_CREDITS]
    assert ledger_snapshot() == before


def test_pending_credits_do_not_count_as_funds(
    make_account: MakeAccount, funded_wallet: str, merchant: str
) -> None:
    # given bob's empty wallet is about to receive 50.00 (still pending)
    bob = make_account("wallet:bob", flags={"debits_must_not_exceed_credits"})
    assert submit(transfer("p1", funded_wallet, bob, 5_000, flags={"pending"})) == [R.CREATED]
    # when bob spends 0.01
    results = submit(transfer("t1", bob, merchant, 1))
    # then
    assert results == [R.EXCEEDS_CREDITS]
    assert totals(bob) == Totals(credits_pending=5_000)


def test_credit_limited_account_takes_credits_up_to_its_debits(
    make_account: MakeAccount, loan: str
) -> None:
    # given the loan account lent out 5.00
    bank = make_account("bank:USD", code="bank")
    assert submit(transfer("lend", loan, bank, 500)) == [R.CREATED]
    before = ledger_snapshot()
    # when 5.01 is repaid, then 5.00
    refused = submit(transfer("repay-1", bank, loan, 501))
    after_refusal = ledger_snapshot()
    accepted = submit(transfer("repay-2", bank, loan, 500))
    # then
    assert refused == [R.EXCEEDS_DEBITS]
    assert after_refusal == before
    assert accepted == [R.CREATED]
    assert totals(loan) == Totals(debits_posted=500, credits_posted=500)


def test_pending_credits_count_against_the_credit_limit(
    make_account: MakeAccount, loan: str
) -> None:
    # given the loan lent 5.00 and 3.00 of repayment is pending
    bank = make_account("bank:USD", code="bank")
    assert submit(transfer("lend", loan, bank, 500)) == [R.CREATED]
    assert submit(transfer("repay-1", bank, loan, 300, flags={"pending"})) == [R.CREATED]
    before = ledger_snapshot()
    # when 2.01 more is repaid
    results = submit(transfer("repay-2", bank, loan, 201))
    # then
    assert results == [R.EXCEEDS_DEBITS]
    assert ledger_snapshot() == before


def test_exceeds_credits_is_reported_before_exceeds_debits(funded_wallet: str, loan: str) -> None:
    # when alice would overdraw and the loan would be over-repaid by the same transfer
    results = submit(transfer("t1", funded_wallet, loan, 20_000))
    # then the debit side is reported
    assert results == [R.EXCEEDS_CREDITS]
    assert totals(loan) == Totals()


# --- overflow ------------------------------------------------------------------------------


@pytest.fixture
def four_accounts(make_account: MakeAccount) -> tuple[str, str, str, str]:
    """Four unconstrained USD accounts a, b, c, d."""
    return (
        make_account("a", code="test"),
        make_account("b", code="test"),
        make_account("c", code="test"),
        make_account("d", code="test"),
    )


def test_overflowing_debits_posted_is_refused(four_accounts: tuple[str, str, str, str]) -> None:
    a, b, c, _ = four_accounts
    assert submit(transfer("max", a, b, AMOUNT_MAX)) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(transfer("t1", a, c, 1))

    assert results == [R.OVERFLOWS_DEBITS_POSTED]
    assert ledger_snapshot() == before
    assert totals(a) == Totals(debits_posted=AMOUNT_MAX)


def test_overflowing_credits_posted_is_refused(four_accounts: tuple[str, str, str, str]) -> None:
    a, b, c, _ = four_accounts
    assert submit(transfer("max", a, b, AMOUNT_MAX)) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(transfer("t1", c, b, 1))

    assert results == [R.OVERFLOWS_CREDITS_POSTED]
    assert ledger_snapshot() == before


def test_overflowing_debits_pending_is_refused(four_accounts: tuple[str, str, str, str]) -> None:
    a, b, c, _ = four_accounts
    assert submit(transfer("max", a, b, AMOUNT_MAX, flags={"pending"})) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(transfer("t1", a, c, 1, flags={"pending"}))

    assert results == [R.OVERFLOWS_DEBITS_PENDING]
    assert ledger_snapshot() == before


def test_overflowing_credits_pending_is_refused(four_accounts: tuple[str, str, str, str]) -> None:
    a, b, c, _ = four_accounts
    assert submit(transfer("max", a, b, AMOUNT_MAX, flags={"pending"})) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(transfer("t1", c, b, 1, flags={"pending"}))

    assert results == [R.OVERFLOWS_CREDITS_PENDING]
    assert ledger_snapshot() == before


def test_overflowing_posted_plus_pending_debits_is_refused(
    four_accounts: tuple[str, str, str, str],
) -> None:
    # given a's posted and pending debits add up to the largest total
    a, b, c, d = four_accounts
    assert submit(transfer("posted", a, b, 2**62)) == [R.CREATED]
    assert submit(transfer("held", a, c, AMOUNT_MAX - 2**62, flags={"pending"})) == [R.CREATED]
    before = ledger_snapshot()
    # when a is debited once more (neither total alone would overflow)
    results = submit(transfer("t1", a, d, 1))
    # then
    assert results == [R.OVERFLOWS_DEBITS]
    assert ledger_snapshot() == before
    assert totals(a) == Totals(debits_pending=AMOUNT_MAX - 2**62, debits_posted=2**62)


def test_overflowing_posted_plus_pending_credits_is_refused(
    four_accounts: tuple[str, str, str, str],
) -> None:
    a, b, c, d = four_accounts
    assert submit(transfer("posted", a, d, 2**62)) == [R.CREATED]
    assert submit(transfer("held", b, d, AMOUNT_MAX - 2**62, flags={"pending"})) == [R.CREATED]
    before = ledger_snapshot()

    results = submit(transfer("t1", c, d, 1))

    assert results == [R.OVERFLOWS_CREDITS]
    assert ledger_snapshot() == before
    assert totals(d) == Totals(credits_pending=AMOUNT_MAX - 2**62, credits_posted=2**62)


def test_amount_beyond_the_64_bit_limit_is_refused(
    four_accounts: tuple[str, str, str, str],
) -> None:
    # an amount no total could ever hold: refused as an overflow of a's debits (whether it
    # is named as the posted total or as posted plus pending is left open)
    a, b, _, _ = four_accounts
    before = ledger_snapshot()

    results = submit(transfer("t1", a, b, AMOUNT_MAX + 1))

    assert len(results) == 1
    assert results[0] in (R.OVERFLOWS_DEBITS_POSTED, R.OVERFLOWS_DEBITS)
    assert ledger_snapshot() == before
