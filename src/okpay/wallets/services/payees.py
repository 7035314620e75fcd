"""Saved payees and the validation of bank account details (IBAN, account + SWIFT/BIC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from okpay.identity.models import User
from okpay.identity.services import StepUpAction, step_up_require
from okpay.identity.services.accounts import country_codes
from okpay.wallets.errors import PayeeNotFound, RecipientInvalid
from okpay.wallets.models import Payee, PayeeKind
from okpay.wallets.services.common import user_check
from okpay.wallets.services.quotes import currency_enabled_check


@dataclass(frozen=True, slots=True)
class BankAccount:
    name: str
    address: str
    bank_country: str
    iban: str
    account_number: str
    bic: str

    def snapshot(self) -> dict[str, str]:
        return {
            "name": self.name,
            "address": self.address,
            "bank_country": self.bank_country,
            "iban": self.iban,
            "account_number": self.account_number,
            "bic": self.bic,
        }


def bank_account_validate(
    *,
    name: str,
    bank_country: str,
    iban: str = "",
    account_number: str = "",
    bic: str = "",
    address: str = "",
) -> BankAccount:
    """Check a bank account: an IBAN (checksum included) or an account number + SWIFT/BIC.

    The IBAN's or BIC's country must be the bank country. Raises ``RecipientInvalid``
    naming the field at fault.
    """
    name = " ".join((name or "").split())
    if not name or len(name) > 140:
        raise RecipientInvalid(_("Enter the account holder's full name."), field="name")
    country = (bank_country or "").strip().upper()
    if country not in country_codes():
        raise RecipientInvalid(_("Choose the bank's country from the list."), field="bank_country")
    address = " ".join((address or "").split())[:255]
    iban = (iban or "").strip()
    account_number = "".join((account_number or "").split())
    bic = (bic or "").strip()
    if iban:
        try:
            parsed = IBAN(iban)
        except SchwiftyException:
            raise RecipientInvalid(
                _("This IBAN is not valid. Check every character."), field="iban"
            ) from None
        if parsed.country_code != country:
            raise RecipientInvalid(
                _("This IBAN belongs to a bank in another country."), field="iban"
            )
        bic_text = ""
        if bic:
            bic_text = _bic_check(bic, country)
        return BankAccount(name, address, country, str(parsed.compact), "", bic_text)
    if not account_number or not bic:
        raise RecipientInvalid(
            _("Enter an IBAN, or an account number with the bank's SWIFT/BIC code."),
            field="iban" if not account_number else "bic",
        )
    if not account_number.isalnum() or not 4 <= len(account_number) <= 34:
        raise RecipientInvalid(
            _("Enter the account number with letters and digits only."), field="account_number"
        )
    return BankAccount(name, address, country, "", account_number.upper(), _bic_check(bic, country))


def _bic_check(bic: str, country: str) -> str:
    try:
        parsed = BIC(bic)
    except SchwiftyException:
        raise RecipientInvalid(_("This SWIFT/BIC code is not valid."), field="bic") from None
    if parsed.country_code != country:
        raise RecipientInvalid(_("This SWIFT/BIC code belongs to another country."), field="bic")
    return str(parsed.compact)


def payee_add(
    *,
    user: User,
    holder: str,
    kind: str,
    name: str,
    bank_country: str,
    currency: str,
    iban: str = "",
    account_number: str = "",
    bic: str = "",
    address: str = "",
    label: str = "",
    now: datetime | None = None,
) -> Payee:
    """Save a payee. Needs a fresh step-up confirmation from ``holder``."""
    user_check(user=user)
    if kind not in PayeeKind.values:
        raise RecipientInvalid(_("Choose the kind of payee."), field="kind")
    currency_enabled_check(currency, field="currency")
    account = bank_account_validate(
        name=name,
        bank_country=bank_country,
        iban=iban,
        account_number=account_number,
        bic=bic,
        address=address,
    )
    step_up_require(user=user, holder=holder, action=StepUpAction.ADD_PAYEE)
    return Payee.objects.create(
        user=user,
        kind=kind,
        label=" ".join((label or "").split())[:100],
        currency=currency,
        created_at=now or timezone.now(),
        **account.snapshot(),
    )


def payee_get(*, user: User, payee_id: int) -> Payee:
    payee = Payee.objects.filter(pk=payee_id, user=user, removed_at__isnull=True).first()
    if payee is None:
        raise PayeeNotFound(field="payee_id")
    return payee


def payee_remove(*, user: User, payee_id: int, now: datetime | None = None) -> Payee:
    payee = payee_get(user=user, payee_id=payee_id)
    payee.removed_at = now or timezone.now()
    payee.save(update_fields=["removed_at"])
    return payee
