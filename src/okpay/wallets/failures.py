"""Stable failure codes of money operations, with what a user should do next.

A code is either raised (the operation was refused and nothing changed) or stored on a
transaction (``failure_code``: the rail refused or returned it after acceptance). Codes are
never renamed. Every code has a title, an explanation and next steps, translated; the
"get help" step always asks for the reference, time, amount and method of the payment.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class FailureCode(StrEnum):
    INSUFFICIENT_FUNDS = "insufficient_funds"
    LIMIT_EXCEEDED = "limit_exceeded"
    RECIPIENT_INVALID = "recipient_invalid"
    RECIPIENT_NOT_FOUND = "recipient_not_found"
    CORRIDOR_BLOCKED = "corridor_blocked"
    CURRENCY_NOT_SUPPORTED = "currency_not_supported"
    QUOTE_EXPIRED = "quote_expired"
    FX_RATES_STALE = "fx_rates_stale"
    RAIL_REJECTED = "rail_rejected"
    RAIL_TIMEOUT = "rail_timeout"
    PAYOUT_RETURNED = "payout_returned"
    ACCOUNT_FROZEN = "account_frozen"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    STEP_UP_REQUIRED = "step_up_required"


class NextStep(StrEnum):
    CHECK_BALANCE = "check_balance"
    CHECK_DETAILS = "check_details"
    RETRY_LATER = "retry_later"
    NEW_QUOTE = "new_quote"
    VERIFY_EMAIL = "verify_email"
    CONFIRM_IDENTITY = "confirm_identity"
    OTHER_METHOD = "other_method"
    GET_HELP = "get_help"


STEP_TEXT: dict[NextStep, Promise] = {
    NextStep.CHECK_BALANCE: _("Check your balance: the amount plus its fee must be available."),
    NextStep.CHECK_DETAILS: _("Check the details you entered (name, account, country, amount)."),
    NextStep.RETRY_LATER: _("Nothing was charged. Try again in a few minutes."),
    NextStep.NEW_QUOTE: _("Get a new quote and confirm it within 30 seconds."),
    NextStep.VERIFY_EMAIL: _("Confirm your e-mail address with the link we sent you."),
    NextStep.CONFIRM_IDENTITY: _("Confirm it is you with your password or authenticator code."),
    NextStep.OTHER_METHOD: _("Try another payment method or a smaller amount."),
    NextStep.GET_HELP: _(
        "Still stuck? Contact support with the reference, the time, the amount and the "
        "payment method of this transaction."
    ),
}


@dataclass(frozen=True, slots=True)
class Failure:
    code: FailureCode
    title: Promise
    explanation: Promise
    steps: tuple[NextStep, ...]


FAILURES: dict[FailureCode, Failure] = {
    f.code: f
    for f in (
        Failure(
            FailureCode.INSUFFICIENT_FUNDS,
            _("Not enough money in your wallet"),
            _("Your available balance does not cover the amount and the fee."),
            (NextStep.CHECK_BALANCE, NextStep.GET_HELP),
        ),
        Failure(
            FailureCode.LIMIT_EXCEEDED,
            _("Limit reached"),
            _("This payment is above one of your limits (per payment, per day or per month)."),
            (NextStep.OTHER_METHOD, NextStep.RETRY_LATER, NextStep.GET_HELP),
        ),
        Failure(
            FailureCode.RECIPIENT_INVALID,
            _("Recipient details are not valid"),
            _("The account number, IBAN, SWIFT/BIC or another detail of the recipient is wrong."),
            (NextStep.CHECK_DETAILS, NextStep.GET_HELP),
        ),
        Failure(
            FailureCode.RECIPIENT_NOT_FOUND,
            _("Recipient not found"),
            _("No OKpay user has this e-mail address or phone number."),
            (NextStep.CHECK_DETAILS, NextStep.GET_HELP),
        ),
        Failure(
            FailureCode.CORRIDOR_BLOCKED,
            _("Country not available"),
            _("OKpay cannot send money to this country."),
            (NextStep.CHECK_DETAILS, NextStep.GET_HELP),
        ),
        Failure(
            FailureCode.CURRENCY_NOT_SUPPORTED,
            _("Currency not supported"),
            _("OKpay does not hold or pay out this currency."),
            (NextStep.CHECK_DETAILS, NextStep.GET_HELP),
        ),
        Failure(
            FailureCode.QUOTE_EXPIRED,
            _("The quote has expired"),
            _("A quote keeps its rate and fee for 30 seconds and can be used once."),
            (NextStep.NEW_QUOTE,),
        ),
        Failure(
            FailureCode.FX_RATES_STALE,
            _("Exchange rates are being updated"),
            _("We do not have fresh exchange rates right now, so we cannot convert."),
            (NextStep.RETRY_LATER, NextStep.GET_HELP),
        ),
        Failure(
            FailureCode.RAIL_REJECTED,
            _("The bank or card network refused the payment"),
            _("The payment was refused by the bank or card network; any held money is back."),
            (NextStep.CHECK_DETAILS, NextStep.OTHER_METHOD, NextStep.GET_HELP),
        ),
        Failure(
            FailureCode.RAIL_TIMEOUT,
            _("No answer from the bank"),
            _("The bank did not confirm the payment in time; any held money is back."),
            (NextStep.RETRY_LATER, NextStep.GET_HELP),
        ),
        Failure(
            FailureCode.PAYOUT_RETURNED,
            _("The recipient's bank returned the money"),
            _("The recipient's bank sent the payment back; the money is in your wallet again."),
            (NextStep.CHECK_DETAILS, NextStep.GET_HELP),
        ),
        Failure(
            FailureCode.ACCOUNT_FROZEN,
            _("Your account is on hold"),
            _("Money cannot move until your account is secured (for example a new password)."),
            (NextStep.GET_HELP,),
        ),
        Failure(
            FailureCode.EMAIL_NOT_VERIFIED,
            _("Confirm your e-mail address first"),
            _("Payments are possible once your e-mail address is confirmed."),
            (NextStep.VERIFY_EMAIL, NextStep.GET_HELP),
        ),
        Failure(
            FailureCode.STEP_UP_REQUIRED,
            _("Confirm it is you"),
            _("Large payments and new payees need a fresh confirmation."),
            (NextStep.CONFIRM_IDENTITY,),
        ),
    )
}


@dataclass(frozen=True, slots=True)
class FailureExplanation:
    """A failure in the active language, ready for a page or the API."""

    code: str
    title: str
    explanation: str
    next_steps: tuple[tuple[str, str], ...]  # (step code, text)


def failure_explain(code: str) -> FailureExplanation:
    """The localized title, explanation and next steps for ``code`` (active language).

    An unknown code still gets an explanation: the generic "get help" one.
    """
    try:
        failure = FAILURES[FailureCode(code)]
    except ValueError:
        return FailureExplanation(
            code=code,
            title=str(_("The payment did not go through")),
            explanation=str(_("Something went wrong with this payment.")),
            next_steps=((NextStep.GET_HELP.value, str(STEP_TEXT[NextStep.GET_HELP])),),
        )
    return FailureExplanation(
        code=failure.code.value,
        title=str(failure.title),
        explanation=str(failure.explanation),
        next_steps=tuple((s.value, str(STEP_TEXT[s])) for s in failure.steps),
    )
