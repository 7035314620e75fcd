"""PostgreSQL: drop the ``varchar_pattern_ops`` twins of the ledger's id indexes.

Django adds a ``..._like`` index beside every indexed varchar column so that ``LIKE``
queries can use it. Ledger ids are only ever looked up by equality, and each extra index
is written on every transfer insert and on every balance update that moves a row.
"""

from django.db import migrations


def drop_like_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename IN ('ledger_account', 'ledger_transfer', 'ledger_pendingtransfer') "
            "AND indexname LIKE '%%\\_like'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_immutability_triggers")]

    operations = [migrations.RunPython(drop_like_indexes, migrations.RunPython.noop)]
