"""The chart of accounts the wallets use: stable ledger account ids.

System accounts exist in every enabled currency (``sys:<code>:<CCY>``, opened by a data
migration and by demo data); a customer's wallet ``wallet:<user pk>:<CCY>`` is opened on
demand. The ids match ``okpay.web.demo`` (which the demo data uses).
"""

from __future__ import annotations

from okpay.ledger.types import AccountFlag

RAIL_BANK = "rail_settlement.bank"
RAIL_CARD = "rail_settlement.card"
RAIL_SWIFT = "rail_settlement.swift"
FEE_REVENUE = "fee_revenue"
FX_POSITION = "fx_position"
SUSPENSE = "suspense"

SYSTEM_ACCOUNT_CODES: tuple[str, ...] = (
    RAIL_BANK,
    RAIL_CARD,
    RAIL_SWIFT,
    FEE_REVENUE,
    FX_POSITION,
    SUSPENSE,
)
WALLET_CODE = "wallet"
WALLET_FLAGS = frozenset({AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS.value})


def system_account_id(code: str, currency: str) -> str:
    return f"sys:{code}:{currency}"


def wallet_account_id(user_pk: int, currency: str) -> str:
    return f"wallet:{user_pk}:{currency}"
