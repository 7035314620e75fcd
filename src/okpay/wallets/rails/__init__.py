"""Payment rails behind one interface; ``rail_get`` names the one to use."""

from __future__ import annotations

from okpay.wallets.rails.base import Rail, RailAnswer, RailOperation, RailRequest, RailState
from okpay.wallets.rails.sandbox import SandboxBankRail, SandboxCardRail

CARD = "sandbox_card"
BANK = "sandbox_bank"
SWIFT = "sandbox_swift"

_RAILS: dict[str, Rail] = {
    CARD: SandboxCardRail(),
    BANK: SandboxBankRail(BANK),
    SWIFT: SandboxBankRail(SWIFT),
}


def rail_get(name: str) -> Rail:
    return _RAILS[name]


__all__ = [
    "BANK",
    "CARD",
    "SWIFT",
    "Rail",
    "RailAnswer",
    "RailOperation",
    "RailRequest",
    "RailState",
    "rail_get",
]
