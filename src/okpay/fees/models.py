"""The fee schedule: one ``FeeRule`` per price, edited by operators in the admin.

A rule matches an operation by transaction type and, when set, funding source, corridor
(from → to country), currency, amount tier ``[amount_from_minor, amount_to_minor)`` and
effective period ``[effective_from, effective_to)``; an empty field matches anything.
Fixed amounts, minimum, maximum and tier bounds are minor units of the rule's currency,
so they need a currency (a rule for any currency can only charge a percentage).
How a rule is chosen and the fee computed: ``okpay.fees.selectors``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from okpay.money.currencies import find_currency


class TransactionType(models.TextChoices):
    DEPOSIT = "deposit", _("Top-up")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    P2P_SEND = "p2p_send", _("Send to an OKpay user")
    INTERNATIONAL_TRANSFER = "international_transfer", _("International transfer")
    CONVERSION = "conversion", _("Currency conversion")


class FundingSource(models.TextChoices):
    ANY = "", _("Any")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CARD = "card", _("Card")
    WALLET = "wallet", _("OKpay balance")


PERCENT_MAX = Decimal(100)
# Fields in minor units of the rule's currency: zero, or empty, without a currency.
ZERO_WITHOUT_CURRENCY = ("fixed_minor", "amount_from_minor")
EMPTY_WITHOUT_CURRENCY = ("minimum_minor", "maximum_minor", "amount_to_minor")


class FeeRule(models.Model):
    name = models.CharField(_("name"), max_length=100)
    transaction_type = models.CharField(
        _("transaction type"), max_length=32, choices=TransactionType.choices
    )
    funding_source = models.CharField(
        _("funding source"), max_length=16, choices=FundingSource.choices, blank=True, default=""
    )
    from_country = models.CharField(
        _("from country"), max_length=2, blank=True, help_text=_("ISO 3166 code; empty for any.")
    )
    to_country = models.CharField(
        _("to country"), max_length=2, blank=True, help_text=_("ISO 3166 code; empty for any.")
    )
    currency = models.CharField(
        _("currency"), max_length=3, blank=True, help_text=_("Empty for any currency.")
    )
    amount_from_minor = models.BigIntegerField(
        _("amount from (minor units)"), default=0, help_text=_("Inclusive.")
    )
    amount_to_minor = models.BigIntegerField(
        _("amount to (minor units)"),
        null=True,
        blank=True,
        help_text=_("Exclusive; empty for no upper bound."),
    )
    percent = models.DecimalField(
        _("percent"),
        max_digits=7,
        decimal_places=4,
        default=Decimal(0),
        help_text=_("1.5 is 1.5 %."),
    )
    fixed_minor = models.BigIntegerField(_("fixed fee (minor units)"), default=0)
    minimum_minor = models.BigIntegerField(_("minimum fee (minor units)"), null=True, blank=True)
    maximum_minor = models.BigIntegerField(_("maximum fee (minor units)"), null=True, blank=True)
    effective_from = models.DateTimeField(
        _("effective from"), null=True, blank=True, help_text=_("Inclusive; empty for always.")
    )
    effective_to = models.DateTimeField(
        _("effective to"), null=True, blank=True, help_text=_("Exclusive; empty for no end.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rules")
        ordering = (
            "transaction_type",
            "funding_source",
            "to_country",
            "currency",
            "amount_from_minor",
        )
        indexes: ClassVar = [models.Index(fields=["transaction_type", "currency"])]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=PERCENT_MAX),
                name="fees_rule_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(fixed_minor__gte=0)
                & (Q(minimum_minor__isnull=True) | Q(minimum_minor__gte=0))
                & (Q(maximum_minor__isnull=True) | Q(maximum_minor__gte=0)),
                name="fees_rule_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(minimum_minor__isnull=True)
                | Q(maximum_minor__isnull=True)
                | Q(minimum_minor__lte=F("maximum_minor")),
                name="fees_rule_min_within_max",
            ),
            models.CheckConstraint(
                condition=Q(amount_from_minor__gte=0)
                & (Q(amount_to_minor__isnull=True) | Q(amount_to_minor__gt=F("amount_from_minor"))),
                name="fees_rule_tier_ordered",
            ),
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_to__isnull=True)
                | Q(effective_from__lt=F("effective_to")),
                name="fees_rule_period_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(currency="")
                | Q(
                    fixed_minor=0,
                    minimum_minor__isnull=True,
                    maximum_minor__isnull=True,
                    amount_from_minor=0,
                    amount_to_minor__isnull=True,
                ),
                name="fees_rule_amounts_need_currency",
            ),
            models.CheckConstraint(
                condition=Q(
                    transaction_type__in=TransactionType.values,
                    funding_source__in=FundingSource.values,
                ),
                name="fees_rule_known_choices",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        self.from_country = (self.from_country or "").upper()
        self.to_country = (self.to_country or "").upper()
        self.currency = (self.currency or "").upper()
        if self.currency and find_currency(self.currency) is None:
            errors["currency"] = _("“%(code)s” is not an ISO 4217 currency code.") % {
                "code": self.currency
            }
        for field in ("from_country", "to_country"):
            value = getattr(self, field)
            if value and not (len(value) == 2 and value.isascii() and value.isalpha()):
                errors[field] = _("Enter a two-letter country code, e.g. CN.")
        if self.percent is not None and not Decimal(0) <= self.percent <= PERCENT_MAX:
            errors["percent"] = _("The percentage must be between 0 and 100.")
        for field in ("fixed_minor", "minimum_minor", "maximum_minor"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = _("A fee cannot be negative.")
        if (
            self.minimum_minor is not None
            and self.maximum_minor is not None
            and self.minimum_minor > self.maximum_minor
        ):
            errors["maximum_minor"] = _("The maximum fee must not be below the minimum fee.")
        if self.amount_from_minor is not None and self.amount_from_minor < 0:
            errors["amount_from_minor"] = _("The tier cannot start below zero.")
        elif (
            self.amount_to_minor is not None
            and self.amount_from_minor is not None
            and self.amount_to_minor <= self.amount_from_minor
        ):
            errors["amount_to_minor"] = _("The tier must end above its start.")
        if (
            self.effective_from is not None
            and self.effective_to is not None
            and self.effective_from >= self.effective_to
        ):
            errors["effective_to"] = _("The end must be after the start.")
        if not self.currency:
            for field in (*ZERO_WITHOUT_CURRENCY, *EMPTY_WITHOUT_CURRENCY):
                value = getattr(self, field)
                empty = value is None if field in EMPTY_WITHOUT_CURRENCY else not value
                if not empty and field not in errors:
                    errors[field] = _(
                        "Choose a currency first: amounts mean different things in "
                        "different currencies."
                    )
        if errors:
            raise ValidationError(errors)
