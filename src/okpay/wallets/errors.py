"""Errors of the money operations. Each carries one of the failure codes of ``failures``.

A refused operation changes nothing and raises one of these (or the identity, money,
fx and limits errors that carry the other failure codes). An operation the rail refuses
*after* it was accepted is not an error: it becomes a failed transaction.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from okpay.errors import Conflict, InvalidInput, NotFound, OkpayError, PermissionDenied
from okpay.wallets.failures import FailureCode


class InsufficientFunds(OkpayError):
    code = FailureCode.INSUFFICIENT_FUNDS
    http_status = 409
    default_message = _("Your balance is too low for this amount plus its fee.")


class RecipientInvalid(InvalidInput):
    code = FailureCode.RECIPIENT_INVALID
    default_message = _("The recipient's details are not valid. Check them and try again.")


class RecipientNotFound(InvalidInput):
    code = FailureCode.RECIPIENT_NOT_FOUND
    default_message = _("No OKpay user has this e-mail address or phone number.")


class QuoteExpired(Conflict):
    code = FailureCode.QUOTE_EXPIRED
    default_message = _("This quote has expired or was already used. Get a new quote.")


class AccountFrozen(PermissionDenied):
    code = FailureCode.ACCOUNT_FROZEN
    default_message = _("Money cannot leave or enter this account right now.")


class ClientReferenceReused(Conflict):
    code = "client_reference_reused"
    default_message = _("This request reference was already used for a different operation.")


class PayeeNotFound(NotFound):
    code = "payee_not_found"
    default_message = _("This saved payee does not exist.")


class AmountTooSmall(InvalidInput):
    code = "amount_too_small"
    default_message = _("The amount must be larger than its fee.")


class OperationNotAllowed(InvalidInput):
    code = "operation_not_allowed"
    default_message = _("This operation is not possible with the details given.")
