"""Open the platform's ledger accounts in every enabled currency (idempotent)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def chart_create(apps: Any, schema_editor: Any) -> None:
    from okpay.wallets.services.chart import system_accounts_ensure

    system_accounts_ensure()


class Migration(migrations.Migration):
    dependencies = [
        ("wallets", "0001_initial"),
        ("ledger", "0003_postgres_no_pattern_indexes"),
    ]

    operations = [migrations.RunPython(chart_create, migrations.RunPython.noop)]
