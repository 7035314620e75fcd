from django.db import migrations

from okpay.ledger import db_guards


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    db_guards.install(schema_editor.connection)


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    db_guards.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
