"""Limits per user on what an operation may move, and destinations OKpay does not serve.

A ``LimitRule`` caps one transaction type in one currency: per transaction, per day and
per calendar month (each optional, at least one set). With ``to_country`` it caps only that
corridor, *in addition to* the rule for any destination. A ``BlockedCountry`` refuses every
operation to that destination country.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.fees.models import TransactionType
from okpay.money.currencies import find_currency

LIMIT_FIELDS = ("per_transaction_minor", "daily_minor", "monthly_minor")


def _country_ok(value: str) -> bool:
    return len(value) == 2 and value.isascii() and value.isalpha() and value.isupper()


class LimitRule(models.Model):
    name = models.CharField(_("name"), max_length=100, blank=True)
    transaction_type = models.CharField(
        _("transaction type"), max_length=32, choices=TransactionType.choices
    )
    currency = models.CharField(_("currency"), max_length=3)
    to_country = models.CharField(
        _("to country"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166 code of a corridor's destination; empty for every destination."),
    )
    per_transaction_minor = models.BigIntegerField(
        _("per transaction (minor units)"), null=True, blank=True
    )
    daily_minor = models.BigIntegerField(_("per day (minor units)"), null=True, blank=True)
    monthly_minor = models.BigIntegerField(_("per month (minor units)"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("limit")
        verbose_name_plural = _("limits")
        ordering = ("transaction_type", "currency", "to_country")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["transaction_type", "currency", "to_country"],
                name="limits_rule_unique_scope",
            ),
            models.CheckConstraint(
                condition=Q(per_transaction_minor__isnull=False)
                | Q(daily_minor__isnull=False)
                | Q(monthly_minor__isnull=False),
                name="limits_rule_sets_a_limit",
            ),
            models.CheckConstraint(
                condition=(Q(per_transaction_minor__isnull=True) | Q(per_transaction_minor__gt=0))
                & (Q(daily_minor__isnull=True) | Q(daily_minor__gt=0))
                & (Q(monthly_minor__isnull=True) | Q(monthly_minor__gt=0)),
                name="limits_rule_positive",
            ),
            models.CheckConstraint(
                condition=(
                    Q(per_transaction_minor__isnull=True)
                    | Q(daily_minor__isnull=True)
                    | Q(per_transaction_minor__lte=F("daily_minor"))
                )
                & (
                    Q(daily_minor__isnull=True)
                    | Q(monthly_minor__isnull=True)
                    | Q(daily_minor__lte=F("monthly_minor"))
                )
                & (
                    Q(per_transaction_minor__isnull=True)
                    | Q(monthly_minor__isnull=True)
                    | Q(per_transaction_minor__lte=F("monthly_minor"))
                ),
                name="limits_rule_ordered",
            ),
            models.CheckConstraint(
                condition=Exact(Length("currency"), 3), name="limits_rule_currency_code"
            ),
            models.CheckConstraint(
                condition=Q(to_country="") | Q(Exact(Length("to_country"), 2)),
                name="limits_rule_country_code",
            ),
            models.CheckConstraint(
                condition=Q(transaction_type__in=TransactionType.values),
                name="limits_rule_known_type",
            ),
        ]

    def __str__(self) -> str:
        corridor = f" → {self.to_country}" if self.to_country else ""
        return self.name or f"{self.transaction_type} {self.currency}{corridor}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        self.currency = (self.currency or "").upper()
        self.to_country = (self.to_country or "").upper()
        if find_currency(self.currency) is None:
            errors["currency"] = _("“%(code)s” is not an ISO 4217 currency code.") % {
                "code": self.currency
            }
        if self.to_country and not _country_ok(self.to_country):
            errors["to_country"] = _("Enter a two-letter country code, e.g. CN.")
        values = {field: getattr(self, field) for field in LIMIT_FIELDS}
        if all(value is None for value in values.values()):
            errors["per_transaction_minor"] = _("Set at least one limit.")
        for field, value in values.items():
            if value is not None and value <= 0:
                errors[field] = _("A limit must be above zero.")
        set_in_order = [(f, v) for f, v in values.items() if v is not None and v > 0]
        for (_smaller, low), (larger, high) in pairwise(set_in_order):
            if low > high and larger not in errors:
                errors[larger] = _(
                    "A longer period's limit cannot be below a shorter one's "
                    "(per transaction ≤ per day ≤ per month)."
                )
        if errors:
            raise ValidationError(errors)


class BlockedCountry(models.Model):
    country = models.CharField(
        _("country"), max_length=2, unique=True, help_text=_("ISO 3166 code, e.g. KP.")
    )
    reason = models.CharField(
        _("reason"), max_length=200, help_text=_("Why we do not send money there (internal).")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("blocked country")
        verbose_name_plural = _("blocked countries")
        ordering = ("country",)
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Exact(Length("country"), 2), name="limits_blocked_country_code"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="limits_blocked_reason_given"),
        ]

    def __str__(self) -> str:
        return self.country

    def clean(self) -> None:
        self.country = (self.country or "").upper()
        if not _country_ok(self.country):
            raise ValidationError({"country": _("Enter a two-letter country code, e.g. CN.")})
