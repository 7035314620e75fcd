"""Open the system accounts and customers' wallets in the ledger."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from okpay.identity.models import User
from okpay.ledger.services import accounts_create
from okpay.ledger.types import AccountSpec
from okpay.money import CurrencyNotSupported, enabled_currencies, is_enabled
from okpay.wallets.chart import (
    SYSTEM_ACCOUNT_CODES,
    WALLET_CODE,
    WALLET_FLAGS,
    system_account_id,
    wallet_account_id,
)


class ChartError(RuntimeError):
    """A ledger account with one of our stable ids exists with different fields."""


def system_accounts_ensure() -> int:
    """Open every system account in every enabled currency; return how many were new."""
    specs = [
        AccountSpec(id=system_account_id(code, c.code), currency=c.code, code=code)
        for c in enabled_currencies()
        for code in SYSTEM_ACCOUNT_CODES
    ]
    results = accounts_create(accounts=specs)
    broken = [f"{r.id}: {r.status.value}" for r in results if not r.ok]
    if broken:
        raise ChartError("; ".join(broken))
    return sum(1 for r in results if r.status == "created")


def wallet_open(*, user: User, currency: str) -> str:
    """The id of ``user``'s wallet in ``currency``, opened now if it did not exist.

    Only enabled currencies; raises ``CurrencyNotSupported`` otherwise.
    """
    if not is_enabled(currency):
        raise CurrencyNotSupported(
            _("OKpay does not hold this currency."), field="currency", currency=currency
        )
    account_id = wallet_account_id(user.pk, currency)
    spec = AccountSpec(id=account_id, currency=currency, code=WALLET_CODE, flags=WALLET_FLAGS)
    (result,) = accounts_create(accounts=[spec])
    if not result.ok:
        raise ChartError(f"{account_id}: {result.status.value}")
    return account_id
