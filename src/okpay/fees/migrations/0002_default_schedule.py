"""The shipped fee schedule. Operators change it in admin; changes apply from then on.

Top-up by bank transfer and sending to another OKpay user are free; a card top-up costs
1.5 %; international transfers cost 0.8 % plus a fixed fee per currency (capped), 1 % in
other currencies, more to corridors that cost us more (NG, BR); conversion costs 0.3 %,
0.1 % from 100,000.00 CNY.
"""

from decimal import Decimal

from django.db import migrations

# name, type, funding source, to country, currency, tier from, percent, fixed, min, max
DEFAULT_RULES = [
    ("Top-up by bank transfer", "deposit", "bank_transfer", "", "", 0, "0", 0, None, None),
    ("Top-up by card", "deposit", "card", "", "", 0, "1.5", 0, None, None),
    ("Withdrawal", "withdrawal", "", "", "", 0, "0.5", 0, None, None),
    ("Withdrawal (CNY)", "withdrawal", "", "", "CNY", 0, "0.1", 0, 100, 2_500),
    ("Send to an OKpay user", "p2p_send", "", "", "", 0, "0", 0, None, None),
    ("International transfer", "international_transfer", "", "", "", 0, "1.0", 0, None, None),
    (
        "International transfer (CNY)",
        "international_transfer",
        "",
        "",
        "CNY",
        0,
        "0.8",
        1_000,
        None,
        30_000,
    ),
    (
        "International transfer (USD)",
        "international_transfer",
        "",
        "",
        "USD",
        0,
        "0.8",
        200,
        None,
        5_000,
    ),
    (
        "International transfer (EUR)",
        "international_transfer",
        "",
        "",
        "EUR",
        0,
        "0.8",
        200,
        None,
        5_000,
    ),
    (
        "International transfer (GBP)",
        "international_transfer",
        "",
        "",
        "GBP",
        0,
        "0.8",
        150,
        None,
        4_000,
    ),
    (
        "International transfer (HKD)",
        "international_transfer",
        "",
        "",
        "HKD",
        0,
        "0.8",
        1_500,
        None,
        40_000,
    ),
    (
        "International transfer (JPY)",
        "international_transfer",
        "",
        "",
        "JPY",
        0,
        "0.8",
        300,
        None,
        7_000,
    ),
    (
        "International transfer (KWD)",
        "international_transfer",
        "",
        "",
        "KWD",
        0,
        "0.8",
        600,
        None,
        15_000,
    ),
    (
        "International transfer to Nigeria",
        "international_transfer",
        "",
        "NG",
        "",
        0,
        "2.0",
        0,
        None,
        None,
    ),
    (
        "International transfer to Brazil",
        "international_transfer",
        "",
        "BR",
        "",
        0,
        "1.5",
        0,
        None,
        None,
    ),
    ("Conversion", "conversion", "", "", "", 0, "0.3", 0, None, None),
    (
        "Conversion from 100,000.00 CNY",
        "conversion",
        "",
        "",
        "CNY",
        10_000_000,
        "0.1",
        0,
        None,
        None,
    ),
]


def add_rules(apps, schema_editor):
    FeeRule = apps.get_model("fees", "FeeRule")
    for name, kind, funding, to_country, currency, tier, percent, fixed, low, high in DEFAULT_RULES:
        FeeRule.objects.get_or_create(
            name=name,
            defaults={
                "transaction_type": kind,
                "funding_source": funding,
                "to_country": to_country,
                "currency": currency,
                "amount_from_minor": tier,
                "percent": Decimal(percent),
                "fixed_minor": fixed,
                "minimum_minor": low,
                "maximum_minor": high,
            },
        )


def remove_rules(apps, schema_editor):
    FeeRule = apps.get_model("fees", "FeeRule")
    FeeRule.objects.filter(name__in=[row[0] for row in DEFAULT_RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("fees", "0001_initial")]

    operations = [migrations.RunPython(add_rules, remove_rules)]
