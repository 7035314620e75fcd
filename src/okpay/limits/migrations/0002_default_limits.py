"""Shipped limits and blocked countries. Operators change them in admin.

Limits are set in US dollars and scaled per currency to round amounts; one corridor
(CNY to Nigeria) has tighter limits on top of the general ones.
"""

from decimal import Decimal

from django.db import migrations

# Major units of USD: per transaction, per day, per month.
USD_LIMITS = {
    "deposit": (10_000, 20_000, 50_000),
    "withdrawal": (5_000, 10_000, 30_000),
    "p2p_send": (2_000, 5_000, 20_000),
    "international_transfer": (10_000, 20_000, 50_000),
    "conversion": (20_000, 50_000, 200_000),
}
# (currency, minor-unit exponent, factor against the USD amounts)
SCALES = [
    ("CNY", 2, "7"),
    ("USD", 2, "1"),
    ("EUR", 2, "1"),
    ("GBP", 2, "1"),
    ("HKD", 2, "8"),
    ("JPY", 0, "150"),
    ("SGD", 2, "1"),
    ("AUD", 2, "1.5"),
    ("CAD", 2, "1.5"),
    ("CHF", 2, "1"),
    ("KWD", 3, "0.3"),
]
# (type, currency, to country, per transaction, per day, per month) in minor units
CORRIDOR_LIMITS = [
    ("international_transfer", "CNY", "NG", 1_000_000, 2_000_000, 5_000_000),
]
BLOCKED_COUNTRIES = [
    ("KP", "UN and EU sanctions"),
    ("IR", "UN, EU and US sanctions"),
    ("SY", "EU and US sanctions"),
]


def _minor(major, factor, exponent):
    value = Decimal(major) * Decimal(factor) * 10**exponent
    assert value == value.to_integral_value()
    return int(value)


def _rows():
    for kind, majors in USD_LIMITS.items():
        for currency, exponent, factor in SCALES:
            per_tx, day, month = (_minor(m, factor, exponent) for m in majors)
            yield kind, currency, "", per_tx, day, month
    yield from CORRIDOR_LIMITS


def add_defaults(apps, schema_editor):
    LimitRule = apps.get_model("limits", "LimitRule")
    BlockedCountry = apps.get_model("limits", "BlockedCountry")
    for kind, currency, to_country, per_tx, day, month in _rows():
        LimitRule.objects.get_or_create(
            transaction_type=kind,
            currency=currency,
            to_country=to_country,
            defaults={"per_transaction_minor": per_tx, "daily_minor": day, "monthly_minor": month},
        )
    for country, reason in BLOCKED_COUNTRIES:
        BlockedCountry.objects.get_or_create(country=country, defaults={"reason": reason})


def remove_defaults(apps, schema_editor):
    LimitRule = apps.get_model("limits", "LimitRule")
    BlockedCountry = apps.get_model("limits", "BlockedCountry")
    for kind, currency, to_country, *_limits in _rows():
        LimitRule.objects.filter(
            transaction_type=kind, currency=currency, to_country=to_country
        ).delete()
    BlockedCountry.objects.filter(country__in=[c for c, _r in BLOCKED_COUNTRIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("limits", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
