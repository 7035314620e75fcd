"""The sandbox rails: deterministic stand-ins for banks, card networks and SWIFT.

Delays come from settings (seconds): ``OKPAY_SANDBOX_BANK_DELAY_SECONDS`` (bank
transfer top-up, 120 in the demo), ``OKPAY_SANDBOX_WITHDRAWAL_DELAY_SECONDS`` and
``OKPAY_SANDBOX_PAYOUT_DELAY_SECONDS`` (international payout). Cards answer at once.

Special amounts make a rail fail, decided by the last two digits of the amount in minor
units (10.51 USD and 1051 JPY both end in 51):

===========  =====  =====================================================================
rail         ends   answer
===========  =====  =====================================================================
card         51     rejected at once, code ``card_declined``
card         52     rejected at once, code ``do_not_honor``
bank         61     rejected when due, code ``bank_rejected``
bank         62     never answers (the operation times out: ``rail_timeout``)
withdrawal   71     rejected when due, code ``account_closed``
withdrawal   72     never answers
payout       81     returned when due, code ``beneficiary_bank_returned``
payout       82     rejected when due, code ``beneficiary_account_invalid``
payout       83     never answers
===========  =====  =====================================================================

``OKPAY_SANDBOX_FORCE`` makes every answer of the sandbox one outcome regardless of the
amount: ``""`` (off), ``"rejected"``, ``"returned"`` (payouts; others reject) or
``"timeout"``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from okpay.wallets.rails.base import RailAnswer, RailOperation, RailRequest, RailState

CARD_DECLINES = {51: "card_declined", 52: "do_not_honor"}
LATE = {
    "deposit": {61: (RailState.REJECTED, "bank_rejected"), 62: None},
    "withdrawal": {71: (RailState.REJECTED, "account_closed"), 72: None},
    "payout": {
        81: (RailState.RETURNED, "beneficiary_bank_returned"),
        82: (RailState.REJECTED, "beneficiary_account_invalid"),
        83: None,
    },
}
DELAY_SETTINGS = {
    "deposit": "OKPAY_SANDBOX_BANK_DELAY_SECONDS",
    "withdrawal": "OKPAY_SANDBOX_WITHDRAWAL_DELAY_SECONDS",
    "payout": "OKPAY_SANDBOX_PAYOUT_DELAY_SECONDS",
}


def _forced() -> str:
    return str(getattr(settings, "OKPAY_SANDBOX_FORCE", "") or "")


def _delay(kind: str) -> timedelta:
    return timedelta(seconds=int(getattr(settings, DELAY_SETTINGS[kind], 120)))


class SandboxCardRail:
    """Instant card payments; declines for special amounts."""

    name = "sandbox_card"

    def deposit(self, *, request: RailRequest) -> RailAnswer:
        code = CARD_DECLINES.get(request.amount_minor % 100)
        if _forced() or code:
            return RailAnswer(RailState.REJECTED, code=code or "card_declined", rail_reference="")
        return RailAnswer(RailState.COMPLETED, rail_reference=f"card-{request.reference}")

    def withdrawal(self, *, request: RailRequest) -> RailAnswer:
        return RailAnswer(RailState.REJECTED, code="not_supported")

    def payout(self, *, request: RailRequest) -> RailAnswer:
        return RailAnswer(RailState.REJECTED, code="not_supported")

    def status(self, *, operation: RailOperation, now: datetime) -> RailAnswer:
        return RailAnswer(RailState.COMPLETED, rail_reference=operation.rail_reference)


class SandboxBankRail:
    """Bank transfers in and out, and international payouts, that settle after a delay."""

    def __init__(self, name: str = "sandbox_bank") -> None:
        self.name = name

    def _accept(self, kind: str, request: RailRequest) -> RailAnswer:
        return RailAnswer(
            RailState.PROCESSING,
            rail_reference=f"{kind}-{request.reference}",
            eta=request.now + _delay(kind),
        )

    def deposit(self, *, request: RailRequest) -> RailAnswer:
        return self._accept("deposit", request)

    def withdrawal(self, *, request: RailRequest) -> RailAnswer:
        return self._accept("withdrawal", request)

    def payout(self, *, request: RailRequest) -> RailAnswer:
        return self._accept("payout", request)

    def status(self, *, operation: RailOperation, now: datetime) -> RailAnswer:
        ref = operation.rail_reference
        if operation.eta is not None and now < operation.eta:
            return RailAnswer(RailState.PROCESSING, rail_reference=ref, eta=operation.eta)
        forced = _forced()
        if forced == "timeout":
            return RailAnswer(RailState.PROCESSING, rail_reference=ref, eta=operation.eta)
        if forced == "returned" and operation.kind == "payout":
            return RailAnswer(RailState.RETURNED, rail_reference=ref, code="forced_return")
        if forced:
            return RailAnswer(RailState.REJECTED, rail_reference=ref, code="forced_reject")
        special = LATE[operation.kind]
        key = operation.amount_minor % 100
        if key in special:
            outcome = special[key]
            if outcome is None:  # never answers
                return RailAnswer(RailState.PROCESSING, rail_reference=ref, eta=operation.eta)
            state, code = outcome
            return RailAnswer(state, rail_reference=ref, code=code)
        return RailAnswer(RailState.COMPLETED, rail_reference=ref)
