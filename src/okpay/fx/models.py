"""Exchange rates and the spread OKpay keeps on a conversion.

An ``FxRate`` is one published rate: how many units of ``quote`` one unit of ``base``
buys, from ``source`` (e.g. "ECB", "OKpay treasury"), valid as of ``as_of``. Every rate has
the euro on one side (the pivot, as in the ECB's reference rates); other pairs are crossed
through EUR by ``okpay.fx.selectors.mid_rate``. Rows are history: a new publication is a new
row, and the newest row of a pair wins.

An ``FxSpread`` says how many basis points (1 bp = 0.01 %) the customer's rate is below the
mid rate, per pair ("*" matches any currency) and amount tier. ``min_amount_minor`` is in
minor units of the from-currency, so a tier needs a concrete from-currency.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.money.currencies import find_currency

PIVOT_CURRENCY = "EUR"
ANY_CURRENCY = "*"
RATE_MAX_DIGITS = 20
RATE_DECIMAL_PLACES = 10
SPREAD_BPS_MAX = 1000  # 10 %: anything above is surely a typing error.


def _currency_error(code: str) -> ValidationError | None:
    if find_currency(code) is None:
        return ValidationError(
            _("“%(code)s” is not an ISO 4217 currency code."), params={"code": code}
        )
    return None


class FxRate(models.Model):
    base = models.CharField(_("base currency"), max_length=3, default=PIVOT_CURRENCY)
    quote = models.CharField(_("quote currency"), max_length=3)
    rate = models.DecimalField(
        _("rate"),
        max_digits=RATE_MAX_DIGITS,
        decimal_places=RATE_DECIMAL_PLACES,
        help_text=_("Units of the quote currency that one unit of the base currency buys."),
    )
    source = models.CharField(
        _("source"), max_length=32, help_text=_("Who published the rate, e.g. ECB.")
    )
    as_of = models.DateTimeField(_("as of"), help_text=_("When the rate was published."))
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        indexes: ClassVar = [
            models.Index(fields=["base", "quote", "as_of"], name="fx_rate_pair_time_idx")
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["base", "quote", "source", "as_of"], name="fx_rate_unique_publication"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_rate_positive"),
            models.CheckConstraint(condition=~Q(base=F("quote")), name="fx_rate_two_currencies"),
            models.CheckConstraint(
                condition=Q(base=PIVOT_CURRENCY) | Q(quote=PIVOT_CURRENCY),
                name="fx_rate_against_pivot",
            ),
            models.CheckConstraint(
                condition=Exact(Length("base"), 3) & Exact(Length("quote"), 3),
                name="fx_rate_codes_three_letters",
            ),
            models.CheckConstraint(condition=~Q(source=""), name="fx_rate_source_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.base}/{self.quote} {self.rate} ({self.source}, {self.as_of:%Y-%m-%d %H:%M})"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        for field in ("base", "quote"):
            error = _currency_error(getattr(self, field))
            if error is not None:
                errors[field] = error
        if not errors and self.base == self.quote:
            errors["quote"] = _("The two currencies must differ.")
        if not errors and PIVOT_CURRENCY not in (self.base, self.quote):
            errors["quote"] = _("One side of a rate must be EUR; other pairs are crossed via EUR.")
        if self.rate is not None and self.rate <= 0:
            errors["rate"] = _("The rate must be above zero.")
        if errors:
            raise ValidationError(errors)


class FxSpread(models.Model):
    from_currency = models.CharField(
        _("from currency"),
        max_length=3,
        default=ANY_CURRENCY,
        help_text=_("The currency sold by the customer; * for any."),
    )
    to_currency = models.CharField(
        _("to currency"),
        max_length=3,
        default=ANY_CURRENCY,
        help_text=_("The currency bought by the customer; * for any."),
    )
    min_amount_minor = models.BigIntegerField(
        _("from amount (minor units)"),
        default=0,
        help_text=_("The tier starts at this amount of the from currency, in minor units."),
    )
    spread_bps = models.PositiveIntegerField(
        _("spread (basis points)"), help_text=_("100 basis points are 1 %.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("exchange spread")
        verbose_name_plural = _("exchange spreads")
        ordering = ("from_currency", "to_currency", "min_amount_minor")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["from_currency", "to_currency", "min_amount_minor"],
                name="fx_spread_unique_tier",
            ),
            models.CheckConstraint(
                condition=Q(spread_bps__gte=0) & Q(spread_bps__lte=SPREAD_BPS_MAX),
                name="fx_spread_bps_range",
            ),
            models.CheckConstraint(
                condition=Q(min_amount_minor__gte=0), name="fx_spread_tier_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(from_currency=ANY_CURRENCY) | Q(min_amount_minor=0),
                name="fx_spread_tier_needs_currency",
            ),
            models.CheckConstraint(
                condition=Q(from_currency=ANY_CURRENCY) | ~Q(from_currency=F("to_currency")),
                name="fx_spread_two_currencies",
            ),
        ]

    def __str__(self) -> str:
        pair = f"{self.from_currency}→{self.to_currency}"
        return f"{pair} ≥{self.min_amount_minor}: {self.spread_bps} bp"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        for field in ("from_currency", "to_currency"):
            code = getattr(self, field)
            if code != ANY_CURRENCY:
                error = _currency_error(code)
                if error is not None:
                    errors[field] = error
        if (
            not errors
            and self.from_currency != ANY_CURRENCY
            and self.from_currency == self.to_currency
        ):
            errors["to_currency"] = _("The two currencies must differ.")
        if self.spread_bps is not None and self.spread_bps > SPREAD_BPS_MAX:
            errors["spread_bps"] = _("The spread can be at most %(max)s basis points (10 %%).") % {
                "max": SPREAD_BPS_MAX
            }
        if self.min_amount_minor is not None:
            if self.min_amount_minor < 0:
                errors["min_amount_minor"] = _("The tier cannot start below zero.")
            elif self.min_amount_minor and self.from_currency == ANY_CURRENCY:
                errors["min_amount_minor"] = _(
                    "An amount tier needs a from currency: amounts mean different things "
                    "in different currencies."
                )
        if errors:
            raise ValidationError(errors)
