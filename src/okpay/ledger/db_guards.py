"""Database triggers that keep the ledger's history immutable.

* ``ledger_transfer`` rows can never be updated or deleted.
* ``ledger_pendingtransfer`` rows can never be deleted, and their status moves only once,
  from ``pending`` to ``posted``/``voided``/``expired``.

The SQL is kept here (not only in the migration) so tests can check that the triggers are
installed and the test runner can lift them while it empties a test database.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS ledger_transfer_no_update BEFORE UPDATE ON ledger_transfer
       BEGIN SELECT RAISE(ABORT, 'ledger transfers are immutable: UPDATE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_transfer_no_delete BEFORE DELETE ON ledger_transfer
       BEGIN SELECT RAISE(ABORT, 'ledger transfers are immutable: DELETE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_pending_no_delete BEFORE DELETE ON ledger_pendingtransfer
       BEGIN SELECT RAISE(ABORT, 'pending transfer states are permanent: DELETE refused'); END""",
    """CREATE TRIGGER IF NOT EXISTS ledger_pending_one_move BEFORE UPDATE ON ledger_pendingtransfer
       WHEN OLD.status <> 'pending' OR NEW.transfer_id <> OLD.transfer_id
         OR NEW.expires_at IS NOT OLD.expires_at
       BEGIN SELECT RAISE(ABORT, 'a resolved pending transfer cannot change'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS ledger_transfer_no_update",
    "DROP TRIGGER IF EXISTS ledger_transfer_no_delete",
    "DROP TRIGGER IF EXISTS ledger_pending_no_delete",
    "DROP TRIGGER IF EXISTS ledger_pending_one_move",
]

POSTGRES_CREATE = [
    """CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
       BEGIN
         RAISE EXCEPTION 'ledger transfers are immutable: % refused', TG_OP
           USING ERRCODE = 'integrity_constraint_violation';
       END $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE FUNCTION ledger_pending_one_move() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           RAISE EXCEPTION 'pending transfer states are permanent: DELETE refused'
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         IF OLD.status <> 'pending' OR NEW.transfer_id <> OLD.transfer_id
            OR NEW.expires_at IS DISTINCT FROM OLD.expires_at THEN
           RAISE EXCEPTION 'a resolved pending transfer cannot change'
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """DROP TRIGGER IF EXISTS ledger_transfer_immutable ON ledger_transfer""",
    """CREATE TRIGGER ledger_transfer_immutable BEFORE UPDATE OR DELETE ON ledger_transfer
       FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()""",
    """DROP TRIGGER IF EXISTS ledger_pending_one_move ON ledger_pendingtransfer""",
    """CREATE TRIGGER ledger_pending_one_move BEFORE UPDATE OR DELETE ON ledger_pendingtransfer
       FOR EACH ROW EXECUTE FUNCTION ledger_pending_one_move()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS ledger_transfer_immutable ON ledger_transfer",
    "DROP TRIGGER IF EXISTS ledger_pending_one_move ON ledger_pendingtransfer",
    "DROP FUNCTION IF EXISTS ledger_refuse_change()",
    "DROP FUNCTION IF EXISTS ledger_pending_one_move()",
]


def _statements(vendor: str, *, create: bool) -> list[str]:
    if vendor == "sqlite":
        return SQLITE_CREATE if create else SQLITE_DROP
    if vendor == "postgresql":
        return POSTGRES_CREATE if create else POSTGRES_DROP
    raise NotImplementedError(f"the ledger has no immutability triggers for {vendor!r}")


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, create=True):
            cursor.execute(sql)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, create=False):
            cursor.execute(sql)
