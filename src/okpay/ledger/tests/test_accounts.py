"""Opening ledger accounts: one result code per account, linked chains, account_get."""

from __future__ import annotations

import pytest

from okpay.errors import NotFound
from okpay.ledger.models import Account
from okpay.ledger.tests.fixtures import CREDIT_LIMIT, WALLET_LIMIT, Totals, open_accounts, totals
from okpay.ledger.types import AccountSpec
from okpay.ledger.types import CreateAccountResult as R

pytestmark = pytest.mark.django_db


def _account_ids() -> set[str]:
    # The wallets' chart of accounts (``sys:…``) is opened by a data migration: leave it out.
    return set(Account.objects.exclude(id__startswith="sys:").values_list("id", flat=True))


def test_create_opens_an_account_with_zero_totals() -> None:
    # given nothing
    # when
    results = open_accounts(
        AccountSpec(id="wallet:alice", currency="USD", code="wallet", flags=WALLET_LIMIT)
    )
    # then
    assert results == [R.CREATED]
    account = Account.objects.get(pk="wallet:alice")
    assert account.currency == "USD"
    assert account.code == "wallet"
    assert account.debits_must_not_exceed_credits is True
    assert account.credits_must_not_exceed_debits is False
    assert totals("wallet:alice") == Totals(0, 0, 0, 0)


def test_create_with_credit_limit_flag() -> None:
    results = open_accounts(
        AccountSpec(id="loan:1", currency="EUR", code="loan", flags=CREDIT_LIMIT)
    )

    assert results == [R.CREATED]
    account = Account.objects.get(pk="loan:1")
    assert account.credits_must_not_exceed_debits is True
    assert account.debits_must_not_exceed_credits is False


def test_create_same_account_twice_returns_exists() -> None:
    # given
    spec = AccountSpec(id="wallet:alice", currency="USD", code="wallet", flags=WALLET_LIMIT)
    assert open_accounts(spec) == [R.CREATED]
    # when
    results = open_accounts(spec)
    # then
    assert results == [R.EXISTS]
    assert len(_account_ids()) == 1


@pytest.mark.parametrize(
    "changed",
    [
        AccountSpec(id="wallet:alice", currency="EUR", code="wallet", flags=WALLET_LIMIT),
        AccountSpec(id="wallet:alice", currency="USD", code="savings", flags=WALLET_LIMIT),
        AccountSpec(id="wallet:alice", currency="USD", code="wallet"),
    ],
    ids=["currency", "code", "flags"],
)
def test_create_same_id_with_other_fields_returns_exists_with_different_fields(
    changed: AccountSpec,
) -> None:
    # given
    original = AccountSpec(id="wallet:alice", currency="USD", code="wallet", flags=WALLET_LIMIT)
    assert open_accounts(original) == [R.CREATED]
    # when
    results = open_accounts(changed)
    # then the stored account is the original one
    assert results == [R.EXISTS_WITH_DIFFERENT_FIELDS]
    account = Account.objects.get(pk="wallet:alice")
    assert (account.currency, account.code, account.debits_must_not_exceed_credits) == (
        "USD",
        "wallet",
        True,
    )


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            AccountSpec(id="x", currency="USD", code="wallet", flags=WALLET_LIMIT | CREDIT_LIMIT),
            R.FLAGS_ARE_MUTUALLY_EXCLUSIVE,
        ),
        (AccountSpec(id="x", currency="ZZZ", code="wallet"), R.CURRENCY_NOT_SUPPORTED),
        (AccountSpec(id="", currency="USD", code="wallet"), R.ID_MUST_NOT_BE_EMPTY),
        (AccountSpec(id="x" * 65, currency="USD", code="wallet"), R.ID_TOO_LONG),
        (AccountSpec(id="x", currency="USD", code=""), R.CODE_MUST_NOT_BE_EMPTY),
        (AccountSpec(id="x", currency="USD", code="c" * 33), R.CODE_TOO_LONG),
        (
            AccountSpec(id="x", currency="USD", code="wallet", flags=frozenset({"overdraft"})),
            R.UNKNOWN_FLAG,
        ),
    ],
    ids=[
        "flags_exclusive",
        "currency",
        "empty_id",
        "long_id",
        "empty_code",
        "long_code",
        "unknown_flag",
    ],
)
def test_create_refuses_invalid_account(spec: AccountSpec, expected: R) -> None:
    # when
    results = open_accounts(spec)
    # then nothing is stored
    assert results == [expected]
    assert _account_ids() == set()


def test_id_of_exactly_64_characters_is_accepted() -> None:
    results = open_accounts(AccountSpec(id="a" * 64, currency="USD", code="wallet"))

    assert results == [R.CREATED]
    assert _account_ids() == {"a" * 64}


def test_independent_accounts_in_one_batch_succeed_or_fail_alone() -> None:
    results = open_accounts(
        AccountSpec(id="a", currency="USD", code="wallet"),
        AccountSpec(id="b", currency="ZZZ", code="wallet"),
        AccountSpec(id="c", currency="CNY", code="wallet"),
    )

    assert results == [R.CREATED, R.CURRENCY_NOT_SUPPORTED, R.CREATED]
    assert _account_ids() == {"a", "c"}


def test_linked_accounts_are_created_together() -> None:
    results = open_accounts(
        AccountSpec(id="a", currency="USD", code="wallet", flags=frozenset({"linked"})),
        AccountSpec(id="b", currency="USD", code="wallet", flags=frozenset({"linked"})),
        AccountSpec(id="c", currency="USD", code="wallet"),
    )

    assert results == [R.CREATED, R.CREATED, R.CREATED]
    assert _account_ids() == {"a", "b", "c"}
    assert Account.objects.get(pk="a").debits_must_not_exceed_credits is False


def test_linked_account_chain_fails_as_a_whole() -> None:
    # when the second account of a three-account chain is invalid
    results = open_accounts(
        AccountSpec(id="a", currency="USD", code="wallet", flags=frozenset({"linked"})),
        AccountSpec(id="b", currency="USD", code="", flags=frozenset({"linked"})),
        AccountSpec(id="c", currency="USD", code="wallet"),
        AccountSpec(id="d", currency="USD", code="wallet"),
    )
    # then no account of the chain exists; the one after the chain does
    assert results == [
        R.LINKED_EVENT_FAILED,
        R.CODE_MUST_NOT_BE_EMPTY,
        R.LINKED_EVENT_FAILED,
        R.CREATED,
    ]
    assert _account_ids() == {"d"}


def test_account_chain_left_open_fails() -> None:
    results = open_accounts(
        AccountSpec(id="a", currency="USD", code="wallet"),
        AccountSpec(id="b", currency="USD", code="wallet", flags=frozenset({"linked"})),
        AccountSpec(id="c", currency="USD", code="wallet", flags=frozenset({"linked"})),
    )

    assert results == [R.CREATED, R.LINKED_EVENT_FAILED, R.LINKED_EVENT_CHAIN_OPEN]
    assert _account_ids() == {"a"}


def test_existing_account_in_a_chain_fails_the_chain() -> None:
    # given
    a = AccountSpec(id="a", currency="USD", code="wallet", flags=frozenset({"linked"}))
    assert open_accounts(a, AccountSpec(id="b", currency="USD", code="wallet")) == [
        R.CREATED,
        R.CREATED,
    ]
    # when the same first account opens a new chain
    results = open_accounts(a, AccountSpec(id="c", currency="USD", code="wallet"))
    # then
    assert results == [R.EXISTS, R.LINKED_EVENT_FAILED]
    assert _account_ids() == {"a", "b"}


def test_account_get_returns_the_account() -> None:
    from okpay.ledger.selectors import account_get

    open_accounts(AccountSpec(id="wallet:bob", currency="CNY", code="wallet"))

    account = account_get(account_id="wallet:bob")

    assert account.id == "wallet:bob"
    assert account.currency == "CNY"
    assert account.balance == 0


def test_account_get_unknown_id_raises_not_found() -> None:
    from okpay.ledger.selectors import account_get

    with pytest.raises(NotFound):
        account_get(account_id="wallet:nobody")
