"""Shipped default spreads (basis points below the mid rate; operators edit them in admin).

No rates are shipped here: a rate shipped in a migration would be stale within days.
Demo rates come from ``okpay.fx.services.demo_rates_load`` (``okpay fx demo``).
"""

from django.db import migrations

# (from, to, tier start in minor units of the from currency, basis points, note)
DEFAULT_SPREADS = [
    ("*", "*", 0, 100, "Default for every pair"),
    ("CNY", "*", 0, 80, "Renminbi out"),
    ("CNY", "*", 5_000_000, 50, "Renminbi out from 50,000.00"),
    ("USD", "*", 0, 60, "Dollar out"),
    ("USD", "*", 1_000_000, 35, "Dollar out from 10,000.00"),
    ("EUR", "*", 0, 60, "Euro out"),
    ("EUR", "*", 1_000_000, 35, "Euro out from 10,000.00"),
    ("USD", "CNY", 0, 40, "Main corridor"),
    ("USD", "CNY", 1_000_000, 25, "Main corridor from 10,000.00"),
    ("CNY", "USD", 0, 40, "Main corridor"),
    ("CNY", "USD", 5_000_000, 25, "Main corridor from 50,000.00"),
    ("*", "KWD", 0, 150, "Thin market: treasury rate"),
    ("KWD", "*", 0, 150, "Thin market: treasury rate"),
]


def add_spreads(apps, schema_editor):
    FxSpread = apps.get_model("fx", "FxSpread")
    for from_currency, to_currency, tier, bps, note in DEFAULT_SPREADS:
        FxSpread.objects.get_or_create(
            from_currency=from_currency,
            to_currency=to_currency,
            min_amount_minor=tier,
            defaults={"spread_bps": bps, "note": note},
        )


def remove_spreads(apps, schema_editor):
    FxSpread = apps.get_model("fx", "FxSpread")
    for from_currency, to_currency, tier, _bps, _note in DEFAULT_SPREADS:
        FxSpread.objects.filter(
            from_currency=from_currency, to_currency=to_currency, min_amount_minor=tier
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("fx", "0001_initial")]

    operations = [migrations.RunPython(add_spreads, remove_spreads)]
