"""Refusals by the limits, each with a stable ``code``.

- ``limit_exceeded``: the amount is above a limit. Details: ``limit`` ("per_transaction",
  "daily" or "monthly"), ``limit_minor``, ``remaining_minor`` (what may still be used,
  never negative; for a per-transaction limit, the limit itself) and ``currency``.
- ``corridor_blocked``: OKpay does not send money to the destination country
  (details: ``country``).
"""

from __future__ import annotations

from enum import StrEnum

from django.conf import settings
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from okpay.errors import OkpayError
from okpay.money.formatting import babel_locale, format_money


class LimitErrorCode(StrEnum):
    LIMIT_EXCEEDED = "limit_exceeded"
    CORRIDOR_BLOCKED = "corridor_blocked"


class LimitKind(StrEnum):
    PER_TRANSACTION = "per_transaction"
    DAILY = "daily"
    MONTHLY = "monthly"


def _language() -> str:
    return get_language() or settings.LANGUAGE_CODE


class LimitExceeded(OkpayError):
    code = LimitErrorCode.LIMIT_EXCEEDED
    http_status = 422
    default_message = _("This amount is above your limit. Enter a smaller amount.")

    def __init__(
        self, *, limit: LimitKind, limit_minor: int, remaining_minor: int, currency: str
    ) -> None:
        language = _language()
        amounts = {
            "limit": format_money(limit_minor, currency, locale=language),
            "remaining": format_money(remaining_minor, currency, locale=language),
        }
        if limit == LimitKind.PER_TRANSACTION:
            text = gettext(
                "This amount is above the limit of %(limit)s per transaction. Enter at most "
                "%(remaining)s, or split the payment into smaller ones."
            )
        elif limit == LimitKind.DAILY:
            text = gettext(
                "This amount would go over your daily limit of %(limit)s. You can still use "
                "%(remaining)s today: enter a smaller amount or try again tomorrow."
            )
        else:
            text = gettext(
                "This amount would go over your monthly limit of %(limit)s. You can still use "
                "%(remaining)s this month: enter a smaller amount or try again next month."
            )
        super().__init__(
            text % amounts,
            field="amount",
            limit=str(limit),
            limit_minor=limit_minor,
            remaining_minor=remaining_minor,
            currency=currency,
        )
        self.limit = limit
        self.limit_minor = limit_minor
        self.remaining_minor = remaining_minor
        self.currency = currency


class CorridorBlocked(OkpayError):
    code = LimitErrorCode.CORRIDOR_BLOCKED
    http_status = 422
    default_message = _(
        "We cannot send money to this country. Choose another destination, or contact "
        "support if you think this is wrong."
    )

    def __init__(self, *, country: str) -> None:
        name = babel_locale(_language()).territories.get(country, country)
        message = gettext(
            "We cannot send money to %(country)s. Choose another destination, or contact "
            "support if you think this is wrong."
        ) % {"country": name}
        super().__init__(message, field="to_country", country=country)
        self.country = country
