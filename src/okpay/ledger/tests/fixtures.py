"""Ledger fixtures and helpers: every account and transfer is made through the services.

The services are imported inside the helpers so that this plugin (registered for the
whole test suite in the root ``conftest.py``) never breaks collection of other apps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from okpay.ledger.types import (
    AccountFlag,
    AccountSpec,
    CreateAccountResult,
    CreateTransferResult,
    TransferSpec,
)

# A fixed clock for tests that pass ``now`` to the services.
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)

WALLET_LIMIT = frozenset({AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS.value})
CREDIT_LIMIT = frozenset({AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS.value})


@dataclass(frozen=True, slots=True)
class Totals:
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0


@dataclass(frozen=True, slots=True)
class LedgerSnapshot:
    """Everything a refused request must leave as it was."""

    accounts: dict[str, Totals]
    transfer_ids: frozenset[str]
    pending_states: dict[str, str]


def totals(account_id: str) -> Totals:
    from okpay.ledger.models import Account

    row = Account.objects.get(pk=account_id)
    return Totals(
        debits_pending=row.debits_pending,
        debits_posted=row.debits_posted,
        credits_pending=row.credits_pending,
        credits_posted=row.credits_posted,
    )


def ledger_snapshot() -> LedgerSnapshot:
    from okpay.ledger.models import Account, PendingTransfer, Transfer

    return LedgerSnapshot(
        accounts={
            a.id: Totals(a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
            for a in Account.objects.all()
        },
        transfer_ids=frozenset(Transfer.objects.values_list("id", flat=True)),
        pending_states=dict(PendingTransfer.objects.values_list("transfer_id", "status")),
    )


def submit(*transfers: TransferSpec, now: datetime | None = None) -> list[CreateTransferResult]:
    """Send one batch to ``transfers_create`` and return its result codes, in order."""
    from okpay.ledger.services import transfers_create

    results = transfers_create(transfers=list(transfers), now=now)
    assert [r.id for r in results] == [t.id for t in transfers]
    return [r.status for r in results]


def open_accounts(*accounts: AccountSpec) -> list[CreateAccountResult]:
    from okpay.ledger.services import accounts_create

    results = accounts_create(accounts=list(accounts))
    assert [r.id for r in results] == [a.id for a in accounts]
    return [r.status for r in results]


def transfer(
    id: str,
    debit: str,
    credit: str,
    amount: int,
    *,
    currency: str = "USD",
    code: str = "payment",
    flags: Iterable[str] = (),
    pending_id: str | None = None,
    timeout_seconds: int = 0,
) -> TransferSpec:
    """A transfer spec with readable defaults (USD, code ``payment``)."""
    return TransferSpec(
        id=id,
        debit_account_id=debit,
        credit_account_id=credit,
        amount=amount,
        currency=currency,
        code=code,
        flags=frozenset(flags),
        pending_id=pending_id,
        timeout_seconds=timeout_seconds,
    )


def post(id: str, pending_id: str | None, amount: int = 0, **fields: Any) -> TransferSpec:
    """Post a pending transfer; accounts, currency and code come from the pending one."""
    flags = frozenset({"post_pending_transfer", *fields.pop("flags", ())})
    return TransferSpec(id=id, pending_id=pending_id, amount=amount, flags=flags, **fields)


def void(id: str, pending_id: str | None, amount: int = 0, **fields: Any) -> TransferSpec:
    """Void a pending transfer; the full pending amount is released."""
    flags = frozenset({"void_pending_transfer", *fields.pop("flags", ())})
    return TransferSpec(id=id, pending_id=pending_id, amount=amount, flags=flags, **fields)


MakeAccount = Callable[..., str]
Fund = Callable[[str, int], None]


@pytest.fixture
def make_account(db: None) -> MakeAccount:
    """Open an account through ``accounts_create`` and return its id.

    ``make_account("wallet:alice", flags=WALLET_LIMIT, currency="EUR")``
    """

    def _make(
        account_id: str,
        *,
        currency: str = "USD",
        code: str = "wallet",
        flags: Iterable[str] = (),
    ) -> str:
        spec = AccountSpec(id=account_id, currency=currency, code=code, flags=frozenset(flags))
        assert open_accounts(spec) == [CreateAccountResult.CREATED]
        return account_id

    return _make


@pytest.fixture
def fund(make_account: MakeAccount) -> Fund:
    """Credit an account from an unconstrained ``bank:<currency>`` account."""
    from okpay.ledger.models import Account

    counter = iter(range(1, 1_000_000))

    def _fund(account_id: str, amount: int) -> None:
        currency = Account.objects.get(pk=account_id).currency
        bank = f"bank:{currency}"
        if not Account.objects.filter(pk=bank).exists():
            make_account(bank, currency=currency, code="bank")
        spec = transfer(f"fund-{next(counter)}", bank, account_id, amount, currency=currency)
        assert submit(spec) == [CreateTransferResult.CREATED]

    return _fund


@pytest.fixture
def funded_wallet(make_account: MakeAccount, fund: Fund) -> str:
    """``wallet:alice``: USD, may not spend more than it holds, funded with 100.00."""
    wallet = make_account("wallet:alice", flags=WALLET_LIMIT)
    fund(wallet, 10_000)
    return wallet


@pytest.fixture
def merchant(make_account: MakeAccount) -> str:
    """``merchant:shop``: an unconstrained USD account that receives payments."""
    return make_account("merchant:shop", code="merchant")
