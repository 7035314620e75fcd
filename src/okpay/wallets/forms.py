"""Forms of the wallet pages. Amounts are typed as text and parsed with ``parse_amount``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from okpay.errors import OkpayError
from okpay.identity.forms import country_choices
from okpay.money import enabled_currencies
from okpay.money.amounts import parse_amount
from okpay.wallets.models import Payee, PayeeKind, TransactionStatus, TransactionType


def currency_choices() -> list[tuple[str, str]]:
    return [(c.code, c.code) for c in enabled_currencies()]


def form_apply_error(form: forms.Form, exc: OkpayError) -> None:
    """Show a service's error beside its field (or above the form)."""
    field = exc.field if exc.field in form.fields else None
    aliases = {"amount_minor": "amount", "send_currency": "currency", "payee_id": "payee"}
    if field is None and exc.field in aliases and aliases[exc.field] in form.fields:
        field = aliases[exc.field]
    form.add_error(field, str(exc.message))


class AmountForm(forms.Form):
    """A form with ``amount`` (text) parsed in the currency named by ``amount_currency()``."""

    amount = forms.CharField(
        label=_("Amount"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def amount_currency(self, data: dict[str, Any]) -> str:
        return str(data.get("currency") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        currency = self.amount_currency(data)
        text = data.get("amount")
        if currency and isinstance(text, str):
            try:
                data["amount_minor"] = parse_amount(text, currency)
            except OkpayError as exc:
                self.add_error("amount", str(exc.message))
        return data


class CurrencyField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Currency"))
        super().__init__(choices=currency_choices, **kwargs)


class TopUpForm(AmountForm):
    currency = CurrencyField()
    funding_source = forms.ChoiceField(
        label=_("Pay with"),
        choices=[("bank_transfer", _("Bank transfer")), ("card", _("Card"))],
        widget=forms.RadioSelect,
        initial="bank_transfer",
    )
    field_order = ["funding_source", "currency", "amount"]


class WithdrawForm(AmountForm):
    payee = forms.TypedChoiceField(label=_("To bank account"), coerce=int)
    field_order = ["payee", "amount"]

    def __init__(self, *args: Any, payees: list[Payee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.payees = {p.pk: p for p in payees}
        self.fields["payee"].choices = [  # type: ignore[attr-defined]
            (p.pk, f"{p.label or p.name} · {p.currency} · {p.iban or p.account_number}")
            for p in payees
        ]

    def amount_currency(self, data: dict[str, Any]) -> str:
        payee = self.payees.get(data.get("payee") or 0)
        return payee.currency if payee else ""


class SendForm(AmountForm):
    recipient = forms.CharField(
        label=_("Recipient's e-mail or phone number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    currency = CurrencyField(label=_("You send"))
    receive_currency = CurrencyField(
        label=_("They receive"), help_text=_("Another currency is converted at a quoted rate.")
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=140, required=False)
    field_order = ["recipient", "currency", "amount", "receive_currency", "note"]


class InternationalForm(AmountForm):
    name = forms.CharField(label=_("Recipient's full name"), max_length=140)
    address = forms.CharField(label=_("Recipient's address"), max_length=255, required=False)
    bank_country = forms.ChoiceField(label=_("Bank country"), choices=())
    receive_currency = CurrencyField(label=_("Recipient gets"))
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=42,
        required=False,
        help_text=_("Or leave empty and give the account number and SWIFT/BIC."),
    )
    account_number = forms.CharField(label=_("Account number"), max_length=40, required=False)
    bic = forms.CharField(label=_("SWIFT/BIC"), max_length=11, required=False)
    currency = CurrencyField(label=_("You send"))
    amount_side = forms.ChoiceField(
        label=_("The amount is"),
        choices=[("send", _("What I send")), ("receive", _("What the recipient gets"))],
        widget=forms.RadioSelect,
        initial="send",
    )
    field_order = [
        "name",
        "address",
        "bank_country",
        "receive_currency",
        "iban",
        "account_number",
        "bic",
        "currency",
        "amount_side",
        "amount",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank_country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]

    def amount_currency(self, data: dict[str, Any]) -> str:
        if data.get("amount_side") == "receive":
            return str(data.get("receive_currency") or "")
        return str(data.get("currency") or "")


class ConvertForm(AmountForm):
    currency = CurrencyField(label=_("From"))
    to_currency = CurrencyField(label=_("To"))
    field_order = ["currency", "amount", "to_currency"]


class PayeeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PayeeKind.choices)
    label = forms.CharField(label=_("Label (optional)"), max_length=100, required=False)
    name = forms.CharField(label=_("Account holder"), max_length=140)
    address = forms.CharField(label=_("Address"), max_length=255, required=False)
    bank_country = forms.ChoiceField(label=_("Bank country"), choices=())
    currency = CurrencyField()
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)
    account_number = forms.CharField(label=_("Account number"), max_length=40, required=False)
    bic = forms.CharField(label=_("SWIFT/BIC"), max_length=11, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bank_country"].choices = [("", "—"), *country_choices()]  # type: ignore[attr-defined]


class HistoryFilterForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All")), *TransactionType.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *TransactionStatus.choices], required=False
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=(), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    search = forms.CharField(label=_("Reference"), max_length=24, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", _("All")), *currency_choices()]  # type: ignore[attr-defined]


class StatementForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must not be before the start date."))
        elif start and end and (end - start).days > 366:
            self.add_error("date_to", _("Choose a range of at most a year."))
        return data


class FeeCalculatorForm(AmountForm):
    transaction_type = forms.ChoiceField(
        label=_("Payment"),
        choices=[
            ("p2p_send", TransactionType.P2P_SEND.label),
            ("international_transfer", TransactionType.INTERNATIONAL_TRANSFER.label),
            ("conversion", TransactionType.CONVERSION.label),
            ("deposit", TransactionType.DEPOSIT.label),
            ("withdrawal", TransactionType.WITHDRAWAL.label),
        ],
    )
    funding_source = forms.ChoiceField(
        label=_("Pay with"),
        required=False,
        choices=[
            ("", _("OKpay wallet")),
            ("bank_transfer", _("Bank transfer")),
            ("card", _("Card")),
        ],
    )
    currency = CurrencyField(label=_("You send"))
    receive_currency = CurrencyField(label=_("Recipient gets"))
    from_country = forms.ChoiceField(label=_("From country"), choices=(), required=False)
    to_country = forms.ChoiceField(label=_("To country"), choices=(), required=False)
    field_order = [
        "transaction_type",
        "funding_source",
        "currency",
        "amount",
        "receive_currency",
        "from_country",
        "to_country",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        countries = [("", "—"), *country_choices()]
        self.fields["from_country"].choices = countries  # type: ignore[attr-defined]
        self.fields["to_country"].choices = countries  # type: ignore[attr-defined]
