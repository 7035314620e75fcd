"""The posting engine behind ``transfers_create``.

Every batch runs in one database transaction. A plain or pending transfer takes the fast
path: two conditional ``UPDATE``s that move the account totals only where the limits still
hold, then an ``INSERT ... ON CONFLICT (id) DO NOTHING``. When a statement touches no row
the change made so far for that transfer is reversed (the rows are still locked by this
transaction) and the slow path reads the rows to name the exact result code.

Post and void take the careful path: they lock both accounts (``SELECT ... FOR UPDATE`` in
primary-key order on PostgreSQL; SQLite has a single writer) before reading the pending
transfer's state, so two racing resolutions of one pending transfer are decided one after
the other. Linked chains run inside a savepoint that is rolled back when one link fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.dateparse import parse_datetime

from okpay.ledger.models import AMOUNT_MAX, ID_MAX_LENGTH, Account, PendingTransfer, Transfer
from okpay.ledger.types import CreateTransferResult as R
from okpay.ledger.types import TransferFlag, TransferResult, TransferSpec
from okpay.money.currencies import find_currency

CODE_MAX_LENGTH = 32
TIMEOUT_MAX = 2**31 - 1
KNOWN_FLAGS = frozenset(f.value for f in TransferFlag)
_FAST_PATH_ATTEMPTS = 3

TRANSFER_COLUMNS = (
    "id",
    "debit_account_id",
    "credit_account_id",
    "amount",
    "currency",
    "code",
    "pending",
    "post_pending_transfer",
    "void_pending_transfer",
    "linked",
    "pending_id",
    "timeout_seconds",
    "metadata",
)
ACCOUNT_COLUMNS = (
    "id",
    "currency",
    "debits_must_not_exceed_credits",
    "credits_must_not_exceed_debits",
    "debits_pending",
    "debits_posted",
    "credits_pending",
    "credits_posted",
)

A = Account._meta.db_table
T = Transfer._meta.db_table
P = PendingTransfer._meta.db_table


class RetryBatch(Exception):
    """The database changed under a transfer in a way only a fresh transaction resolves."""


def run_chains(
    specs: Sequence[Any],
    *,
    is_linked: Callable[[Any], bool],
    apply_one: Callable[[int, Any], str],
    created: str,
    linked_event_failed: str,
    linked_event_chain_open: str,
) -> list[str]:
    """Apply ``specs`` in order; consecutive linked ones succeed or fail together.

    ``apply_one`` returns ``created`` on success or a result code, and must change nothing
    when it fails. A failing chain is rolled back to the savepoint taken at its start.
    """
    n = len(specs)
    results: list[str] = [created] * n
    i = 0
    while i < n:
        if not is_linked(specs[i]):
            results[i] = apply_one(i, specs[i])
            i += 1
            continue
        end = i
        while end < n and is_linked(specs[end]):
            end += 1
        if end == n:  # the batch ended inside the chain
            results[i : n - 1] = [linked_event_failed] * (n - 1 - i)
            results[n - 1] = linked_event_chain_open
            break
        savepoint = transaction.savepoint()
        for k in range(i, end + 1):
            code = apply_one(k, specs[k])
            if code != created:
                transaction.savepoint_rollback(savepoint)
                results[i : end + 1] = [linked_event_failed] * (end + 1 - i)
                results[k] = code
                break
        else:
            transaction.savepoint_commit(savepoint)
        i = end + 1
    return results


def validate_transfer(spec: TransferSpec) -> str | None:
    """Checks that need no database, in TigerBeetle's order. None when the input is sound."""
    if not spec.id:
        return R.ID_MUST_NOT_BE_EMPTY
    if len(spec.id) > ID_MAX_LENGTH:
        return R.ID_TOO_LONG
    flags = spec.flags
    if not flags <= KNOWN_FLAGS:
        return R.UNKNOWN_FLAG
    phases = (
        (TransferFlag.PENDING in flags)
        + (TransferFlag.POST_PENDING_TRANSFER in flags)
        + (TransferFlag.VOID_PENDING_TRANSFER in flags)
    )
    if phases > 1:
        return R.FLAGS_ARE_MUTUALLY_EXCLUSIVE
    amount = spec.amount
    if type(amount) is not int:
        raise TypeError(f"transfer {spec.id!r}: amount must be an int of minor units")
    resolving = (
        TransferFlag.POST_PENDING_TRANSFER in flags or TransferFlag.VOID_PENDING_TRANSFER in flags
    )
    if resolving:
        if not spec.pending_id:
            return R.PENDING_ID_REQUIRED
        if spec.pending_id == spec.id:
            return R.PENDING_ID_MUST_BE_DIFFERENT
        if spec.timeout_seconds:
            return R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
        if spec.currency and find_currency(spec.currency) is None:
            return R.CURRENCY_NOT_SUPPORTED
        if len(spec.code) > CODE_MAX_LENGTH:
            return R.CODE_TOO_LONG
        if amount < 0:
            return R.AMOUNT_MUST_NOT_BE_NEGATIVE
        if amount > AMOUNT_MAX:
            return R.OVERFLOWS_DEBITS
        return None
    if not spec.debit_account_id:
        return R.DEBIT_ACCOUNT_ID_MUST_NOT_BE_EMPTY
    if not spec.credit_account_id:
        return R.CREDIT_ACCOUNT_ID_MUST_NOT_BE_EMPTY
    if spec.debit_account_id == spec.credit_account_id:
        return R.ACCOUNTS_MUST_BE_DIFFERENT
    if spec.pending_id:
        return R.PENDING_ID_MUST_BE_EMPTY
    if spec.timeout_seconds and TransferFlag.PENDING not in flags:
        return R.TIMEOUT_RESERVED_FOR_PENDING_TRANSFER
    if not 0 <= spec.timeout_seconds <= TIMEOUT_MAX:
        return R.OVERFLOWS_TIMEOUT
    if not spec.currency or find_currency(spec.currency) is None:
        return R.CURRENCY_NOT_SUPPORTED
    if not spec.code:
        return R.CODE_MUST_NOT_BE_EMPTY
    if len(spec.code) > CODE_MAX_LENGTH:
        return R.CODE_TOO_LONG
    if amount == 0:
        return R.AMOUNT_MUST_NOT_BE_ZERO
    if amount < 0:
        return R.AMOUNT_MUST_NOT_BE_NEGATIVE
    if amount > AMOUNT_MAX:
        return R.OVERFLOWS_DEBITS
    return None


class _Sql:
    """Statements for one database vendor, built once per vendor and cursor kind.

    With ``driver=True`` they carry the driver's own placeholder (``?`` on SQLite) for the
    batch loop, which runs on the driver's cursor; otherwise Django's ``%s``, for Django's
    cursor (whose debug wrapper formats ``%s`` statements when it logs them).
    """

    def __init__(self, vendor: str, *, driver: bool) -> None:
        jsonb = "::jsonb" if vendor == "postgresql" else ""
        self.lock_suffix = " FOR UPDATE" if vendor == "postgresql" else ""
        limit_dr = (
            "AND debits_pending <= %s AND debits_posted <= %s - debits_pending "
            "AND (NOT debits_must_not_exceed_credits "
            "OR debits_posted + debits_pending <= credits_posted - %s)"
        )
        limit_cr = (
            "AND credits_pending <= %s AND credits_posted <= %s - credits_pending "
            "AND (NOT credits_must_not_exceed_debits "
            "OR credits_posted + credits_pending <= debits_posted - %s)"
        )
        self.debit = {
            False: f"UPDATE {A} SET debits_posted = debits_posted + %s "
            f"WHERE id = %s AND currency = %s {limit_dr}",
            True: f"UPDATE {A} SET debits_pending = debits_pending + %s "
            f"WHERE id = %s AND currency = %s {limit_dr}",
        }
        self.credit = {
            False: f"UPDATE {A} SET credits_posted = credits_posted + %s "
            f"WHERE id = %s AND currency = %s {limit_cr}",
            True: f"UPDATE {A} SET credits_pending = credits_pending + %s "
            f"WHERE id = %s AND currency = %s {limit_cr}",
        }
        self.undo_debit = {
            False: f"UPDATE {A} SET debits_posted = debits_posted - %s WHERE id = %s",
            True: f"UPDATE {A} SET debits_pending = debits_pending - %s WHERE id = %s",
        }
        self.undo_credit = {
            False: f"UPDATE {A} SET credits_posted = credits_posted - %s WHERE id = %s",
            True: f"UPDATE {A} SET credits_pending = credits_pending - %s WHERE id = %s",
        }
        self.insert = (
            f"INSERT INTO {T} (id, debit_account_id, credit_account_id, amount, currency, code, "
            "pending, post_pending_transfer, void_pending_transfer, linked, pending_id, "
            "timeout_seconds, metadata, created_at) "
            f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s{jsonb}, %s) "
            "ON CONFLICT (id) DO NOTHING"
        )
        self.insert_account = (
            f"INSERT INTO {A} (id, currency, code, debits_must_not_exceed_credits, "
            "credits_must_not_exceed_debits, debits_pending, debits_posted, credits_pending, "
            "credits_posted, metadata, created_at) "
            f"VALUES (%s, %s, %s, %s, %s, 0, 0, 0, 0, %s{jsonb}, %s) "
            "ON CONFLICT (id) DO NOTHING"
        )
        self.select_account = (
            "SELECT currency, code, debits_must_not_exceed_credits, "
            f"credits_must_not_exceed_debits, metadata FROM {A} WHERE id = %s"
        )
        self.insert_pending = (
            f"INSERT INTO {P} (transfer_id, status, expires_at, resolved_at) "
            "VALUES (%s, 'pending', %s, NULL)"
        )
        self.select_transfer = (
            "SELECT id, debit_account_id, credit_account_id, amount, currency, code, pending, "
            "post_pending_transfer, void_pending_transfer, linked, pending_id, timeout_seconds, "
            f"metadata FROM {T} WHERE id = %s"
        )
        self.select_pending = (
            "SELECT t.debit_account_id, t.credit_account_id, t.amount, t.currency, t.code, "
            f"t.pending, p.status, p.expires_at FROM {T} t "
            f"LEFT JOIN {P} p ON p.transfer_id = t.id WHERE t.id = %s"
        )
        self.select_accounts = (
            "SELECT id, currency, debits_must_not_exceed_credits, credits_must_not_exceed_debits, "
            "debits_pending, debits_posted, credits_pending, credits_posted "
            f"FROM {A} WHERE id IN (%s, %s) ORDER BY id"
        )
        # PostgreSQL only (used with lock_suffix): array parameters.
        self.select_pending_accounts = (
            f"SELECT debit_account_id, credit_account_id FROM {T} WHERE id = ANY(%s)"
        )
        self.lock_accounts = f"SELECT id FROM {A} WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
        # PostgreSQL: both balance updates and the inserts go in one statement, so a plain
        # transfer costs one round trip. Each step runs only if the one before it touched a
        # row (its EXISTS is a one-time filter evaluated before the step's scan), which also
        # keeps the row locks in primary-key order: first leg, then second leg.
        self.one_statement: dict[tuple[bool, bool], str] = {}
        if vendor == "postgresql":
            values = (
                "%s::text, %s::text, %s::text, %s::bigint, %s::text, %s::text, %s::boolean, "
                "%s::boolean, %s::boolean, %s::boolean, %s::text, %s::integer, %s::jsonb, "
                "%s::timestamptz"
            )
            for debit_first in (True, False):
                for pending in (True, False):
                    first_leg = (self.debit if debit_first else self.credit)[pending]
                    second_leg = (self.credit if debit_first else self.debit)[pending]
                    hold = (
                        f", h AS (INSERT INTO {P} (transfer_id, status, expires_at, resolved_at) "
                        "SELECT %s::text, 'pending', %s::timestamptz, NULL "
                        "WHERE EXISTS (SELECT 1 FROM i))"
                        if pending
                        else ""
                    )
                    self.one_statement[(debit_first, pending)] = (
                        f"WITH f AS ({first_leg} RETURNING 1), "
                        f"s AS ({second_leg} AND EXISTS (SELECT 1 FROM f) RETURNING 1), "
                        f"i AS (INSERT INTO {T} (id, debit_account_id, credit_account_id, amount, "
                        "currency, code, pending, post_pending_transfer, void_pending_transfer, "
                        "linked, pending_id, timeout_seconds, metadata, created_at) "
                        f"SELECT {values} WHERE EXISTS (SELECT 1 FROM s) "
                        f"ON CONFLICT (id) DO NOTHING RETURNING 1){hold} "
                        "SELECT (SELECT count(*) FROM f), (SELECT count(*) FROM s), "
                        "(SELECT count(*) FROM i)"
                    )
        self.resolve_pending = (
            f"UPDATE {P} SET status = %s, resolved_at = %s "
            "WHERE transfer_id = %s AND status = 'pending'"
        )
        self.settle_debit = (
            f"UPDATE {A} SET debits_pending = debits_pending - %s, "
            "debits_posted = debits_posted + %s WHERE id = %s"
        )
        self.settle_credit = (
            f"UPDATE {A} SET credits_pending = credits_pending - %s, "
            "credits_posted = credits_posted + %s WHERE id = %s"
        )
        if driver and vendor == "sqlite":
            for name, value in list(vars(self).items()):
                if isinstance(value, str):
                    setattr(self, name, value.replace("%s", "?"))
                elif isinstance(value, dict):
                    setattr(self, name, {k: v.replace("%s", "?") for k, v in value.items()})


_SQL: dict[tuple[str, bool], _Sql] = {}


def sql_for(connection: BaseDatabaseWrapper, *, driver: bool = False) -> _Sql:
    """The statements for ``connection``: for Django's cursor, or (``driver``) the driver's."""
    key = (connection.vendor, driver)
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = _Sql(connection.vendor, driver=driver)
    return sql


def metadata_json(metadata: dict[str, Any]) -> str:
    if not metadata:
        return "{}"
    return json.dumps(metadata, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def load_metadata(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class TransferBatch:
    """Applies one batch inside the caller's transaction. Not thread-safe; one per batch."""

    def __init__(self, connection: BaseDatabaseWrapper, now: datetime) -> None:
        self.connection = connection
        self.sql = sql_for(connection, driver=True)
        self.now = now
        # The driver's cursor: this loop is the ledger's hot path. The caller wraps the
        # batch in ``connection.wrap_database_errors`` so errors still surface as Django's.
        connection.ensure_connection()
        assert connection.connection is not None
        self.cursor = connection.connection.cursor()
        self.one_statement = bool(self.sql.one_statement)
        # Timestamps are sent as the backend stores them: naive UTC text on SQLite.
        self.text_time = connection.vendor == "sqlite"
        self.base_time = now.astimezone(UTC).replace(tzinfo=None) if self.text_time else now

    def stamp(self, index: int, seconds: int = 0) -> Any:
        """The database value of ``now`` plus ``index`` microseconds (plus ``seconds``)."""
        value = self.base_time + timedelta(microseconds=index, seconds=seconds)
        return str(value) if self.text_time else value

    def run(self, specs: Sequence[TransferSpec]) -> list[TransferResult]:
        if len(specs) > 1 and self.sql.lock_suffix:
            self._lock_batch_accounts(specs)
        codes = run_chains(
            specs,
            is_linked=lambda s: TransferFlag.LINKED in s.flags,
            apply_one=self.apply,
            created=R.CREATED,
            linked_event_failed=R.LINKED_EVENT_FAILED,
            linked_event_chain_open=R.LINKED_EVENT_CHAIN_OPEN,
        )
        return [TransferResult(s.id, c) for s, c in zip(specs, codes, strict=True)]  # type: ignore[arg-type]

    def _lock_batch_accounts(self, specs: Sequence[TransferSpec]) -> None:
        """Take every row lock the batch needs up front, in primary-key order.

        Without this, two batches that touch the same accounts in different orders hold
        some locks while waiting for others, and PostgreSQL breaks the deadlock only after
        ``deadlock_timeout``. One ordered ``SELECT ... FOR UPDATE`` makes them queue instead.
        """
        ids: set[str] = set()
        pending_ids: list[str] = []
        for spec in specs:
            if spec.pending_id:
                pending_ids.append(spec.pending_id)
            if spec.debit_account_id:
                ids.add(spec.debit_account_id)
            if spec.credit_account_id:
                ids.add(spec.credit_account_id)
        cursor = self.cursor
        if pending_ids:
            cursor.execute(self.sql.select_pending_accounts, (pending_ids,))
            for debit_id, credit_id in cursor.fetchall():
                ids.update((debit_id, credit_id))
        if len(ids) > 2:
            cursor.execute(self.sql.lock_accounts, (sorted(ids),))
            cursor.fetchall()

    # -- one transfer -----------------------------------------------------------------------

    def apply(self, index: int, spec: TransferSpec) -> str:
        invalid = validate_transfer(spec)
        if invalid is not None:
            return invalid
        flags = spec.flags
        if (
            TransferFlag.POST_PENDING_TRANSFER in flags
            or TransferFlag.VOID_PENDING_TRANSFER in flags
        ):
            return self._resolve_pending(spec, index)
        for _attempt in range(_FAST_PATH_ATTEMPTS):
            code = self._fast_path(spec, index)
            if code is not None:
                return code
        raise RetryBatch(spec.id)

    def _fast_path(self, spec: TransferSpec, index: int) -> str | None:
        """Move the totals and insert the row; on any refusal undo and name the reason.

        Returns None when the refusal had no lasting reason (a concurrent change made the
        transfer possible after the refused statement), so the caller tries again.
        """
        cursor = self.cursor
        sql = self.sql
        pending = TransferFlag.PENDING in spec.flags
        amount = spec.amount
        dr, cr = spec.debit_account_id, spec.credit_account_id
        currency = spec.currency
        room = AMOUNT_MAX - amount
        debit_first = dr < cr  # row locks are taken in primary-key order
        first, second = (dr, cr) if debit_first else (cr, dr)
        first_params = (amount, first, currency, room, room, amount)
        second_params = (amount, second, currency, room, room, amount)
        row = (
            spec.id,
            dr,
            cr,
            amount,
            currency,
            spec.code,
            pending,
            False,
            False,
            TransferFlag.LINKED in spec.flags,
            None,
            spec.timeout_seconds,
            metadata_json(spec.metadata),
            self.stamp(index),
        )
        hold = (
            (spec.id, self.stamp(index, spec.timeout_seconds) if spec.timeout_seconds else None)
            if pending
            else ()
        )
        if self.one_statement:
            cursor.execute(
                sql.one_statement[(debit_first, pending)], first_params + second_params + row + hold
            )
            first_ok, second_ok, inserted = cursor.fetchone()
        else:
            cursor.execute((sql.debit if debit_first else sql.credit)[pending], first_params)
            first_ok = second_ok = inserted = cursor.rowcount == 1
            if first_ok:
                cursor.execute((sql.credit if debit_first else sql.debit)[pending], second_params)
                second_ok = inserted = cursor.rowcount == 1
            if second_ok:
                cursor.execute(sql.insert, row)
                inserted = cursor.rowcount == 1
                if inserted and pending:
                    cursor.execute(sql.insert_pending, hold)
        if inserted:
            return R.CREATED
        if not first_ok:
            return self._diagnose(spec)  # nothing was changed
        # Undo what this transfer changed, then find out why it was refused.
        undo_first = (sql.undo_debit if debit_first else sql.undo_credit)[pending]
        cursor.execute(undo_first, (amount, first))
        if second_ok:
            undo_second = (sql.undo_credit if debit_first else sql.undo_debit)[pending]
            cursor.execute(undo_second, (amount, second))
        return self._diagnose(spec)

    def _diagnose(self, spec: TransferSpec) -> str | None:
        existing = self._existing(spec.id)
        if existing is not None:
            return self._compare_existing(spec, existing)
        accounts = self._accounts(spec.debit_account_id, spec.credit_account_id)
        dr = accounts.get(spec.debit_account_id)
        cr = accounts.get(spec.credit_account_id)
        if dr is None:
            return R.DEBIT_ACCOUNT_NOT_FOUND
        if cr is None:
            return R.CREDIT_ACCOUNT_NOT_FOUND
        if dr["currency"] != cr["currency"] or dr["currency"] != spec.currency:
            return R.CURRENCY_MISMATCH
        amount = spec.amount
        if TransferFlag.PENDING in spec.flags:
            if dr["debits_pending"] + amount > AMOUNT_MAX:
                return R.OVERFLOWS_DEBITS_PENDING
            if cr["credits_pending"] + amount > AMOUNT_MAX:
                return R.OVERFLOWS_CREDITS_PENDING
        if dr["debits_posted"] + amount > AMOUNT_MAX:
            return R.OVERFLOWS_DEBITS_POSTED
        if cr["credits_posted"] + amount > AMOUNT_MAX:
            return R.OVERFLOWS_CREDITS_POSTED
        dr_total = dr["debits_pending"] + dr["debits_posted"] + amount
        cr_total = cr["credits_pending"] + cr["credits_posted"] + amount
        if dr_total > AMOUNT_MAX:
            return R.OVERFLOWS_DEBITS
        if cr_total > AMOUNT_MAX:
            return R.OVERFLOWS_CREDITS
        if dr["debits_must_not_exceed_credits"] and dr_total > dr["credits_posted"]:
            return R.EXCEEDS_CREDITS
        if cr["credits_must_not_exceed_debits"] and cr_total > cr["debits_posted"]:
            return R.EXCEEDS_DEBITS
        return None  # nothing stands in the way any more: try again

    # -- post and void ----------------------------------------------------------------------

    def _resolve_pending(self, spec: TransferSpec, index: int) -> str:
        existing = self._existing(spec.id)
        if existing is not None:
            return self._compare_existing(spec, existing)
        assert spec.pending_id is not None  # checked by validate_transfer
        pending = self._pending(spec.pending_id)
        if pending is None:
            return R.PENDING_TRANSFER_NOT_FOUND
        code = self._check_against_pending(spec, pending)
        if code is not None:
            return code
        # Lock both accounts, then read everything again under the locks.
        accounts = self._accounts(
            pending["debit_account_id"], pending["credit_account_id"], lock=True
        )
        existing = self._existing(spec.id)
        if existing is not None:
            return self._compare_existing(spec, existing)
        pending = self._pending(spec.pending_id)
        assert pending is not None
        status = pending["status"]
        if status == "posted":
            return R.PENDING_TRANSFER_ALREADY_POSTED
        if status == "voided":
            return R.PENDING_TRANSFER_ALREADY_VOIDED
        if status == "expired" or (
            pending["expires_at"] is not None and pending["expires_at"] <= self.now
        ):
            return R.PENDING_TRANSFER_EXPIRED
        post = TransferFlag.POST_PENDING_TRANSFER in spec.flags
        held = pending["amount"]
        amount = (spec.amount or held) if post else held
        dr_id, cr_id = pending["debit_account_id"], pending["credit_account_id"]
        if post:
            if accounts[dr_id]["debits_posted"] + amount > AMOUNT_MAX:
                return R.OVERFLOWS_DEBITS_POSTED
            if accounts[cr_id]["credits_posted"] + amount > AMOUNT_MAX:
                return R.OVERFLOWS_CREDITS_POSTED
        cursor = self.cursor
        sql = self.sql
        cursor.execute(
            sql.resolve_pending,
            ("posted" if post else "voided", self.stamp(index), spec.pending_id),
        )
        if cursor.rowcount != 1:  # cannot happen while we hold the account locks
            raise RetryBatch(spec.id)
        posted = amount if post else 0
        cursor.execute(sql.settle_debit, (held, posted, dr_id))
        cursor.execute(sql.settle_credit, (held, posted, cr_id))
        cursor.execute(
            sql.insert,
            (
                spec.id,
                dr_id,
                cr_id,
                amount,
                pending["currency"],
                pending["code"],
                False,
                post,
                not post,
                TransferFlag.LINKED in spec.flags,
                spec.pending_id,
                0,
                metadata_json(spec.metadata),
                self.stamp(index),
            ),
        )
        if cursor.rowcount != 1:
            raise RetryBatch(spec.id)
        return R.CREATED

    @staticmethod
    def _check_against_pending(spec: TransferSpec, pending: dict[str, Any]) -> str | None:
        if not pending["pending"]:
            return R.PENDING_TRANSFER_NOT_PENDING
        if spec.debit_account_id and spec.debit_account_id != pending["debit_account_id"]:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID
        if spec.credit_account_id and spec.credit_account_id != pending["credit_account_id"]:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID
        if spec.currency and spec.currency != pending["currency"]:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_CURRENCY
        if spec.code and spec.code != pending["code"]:
            return R.PENDING_TRANSFER_HAS_DIFFERENT_CODE
        if TransferFlag.POST_PENDING_TRANSFER in spec.flags:
            if spec.amount > pending["amount"]:
                return R.EXCEEDS_PENDING_TRANSFER_AMOUNT
        elif spec.amount not in (0, pending["amount"]):
            return R.PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT
        return None

    # -- reads ------------------------------------------------------------------------------

    def _existing(self, transfer_id: str) -> dict[str, Any] | None:
        self.cursor.execute(self.sql.select_transfer, (transfer_id,))
        row = self.cursor.fetchone()
        if row is None:
            return None
        record = dict(zip(TRANSFER_COLUMNS, row, strict=True))
        for key in ("pending", "post_pending_transfer", "void_pending_transfer", "linked"):
            record[key] = bool(record[key])
        record["metadata"] = load_metadata(record["metadata"])
        return record

    def _pending(self, transfer_id: str) -> dict[str, Any] | None:
        self.cursor.execute(self.sql.select_pending, (transfer_id,))
        row = self.cursor.fetchone()
        if row is None:
            return None
        keys = "debit_account_id credit_account_id amount currency code pending status expires_at"
        record = dict(zip(keys.split(), row, strict=True))
        record["pending"] = bool(record["pending"])
        if record["expires_at"] is not None:
            record["expires_at"] = self._to_datetime(record["expires_at"])
        return record

    @staticmethod
    def _to_datetime(value: Any) -> datetime:
        """Raw cursors return text on SQLite (UTC, naive) and aware datetimes on PostgreSQL."""
        parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
        if parsed is None:
            raise ValueError(f"not a timestamp: {value!r}")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def _accounts(
        self, first: str, second: str, *, lock: bool = False
    ) -> dict[str, dict[str, Any]]:
        sql = self.sql.select_accounts + (self.sql.lock_suffix if lock else "")
        self.cursor.execute(sql, (first, second))
        keys = ACCOUNT_COLUMNS
        out = {}
        for row in self.cursor.fetchall():
            record = dict(zip(keys, row, strict=True))
            record["debits_must_not_exceed_credits"] = bool(
                record["debits_must_not_exceed_credits"]
            )
            record["credits_must_not_exceed_debits"] = bool(
                record["credits_must_not_exceed_debits"]
            )
            out[record["id"]] = record
        return out

    def _compare_existing(self, spec: TransferSpec, e: dict[str, Any]) -> str:
        flags = spec.flags
        same = (
            e["pending"] == (TransferFlag.PENDING in flags)
            and e["post_pending_transfer"] == (TransferFlag.POST_PENDING_TRANSFER in flags)
            and e["void_pending_transfer"] == (TransferFlag.VOID_PENDING_TRANSFER in flags)
            and e["linked"] == (TransferFlag.LINKED in flags)
            and e["pending_id"] == (spec.pending_id or None)
            and e["timeout_seconds"] == spec.timeout_seconds
            and e["metadata"] == spec.metadata
        )
        if same and (e["post_pending_transfer"] or e["void_pending_transfer"]):
            # Fields a post or void may leave empty were filled in from the pending transfer.
            same = (
                (not spec.debit_account_id or spec.debit_account_id == e["debit_account_id"])
                and (not spec.credit_account_id or spec.credit_account_id == e["credit_account_id"])
                and (not spec.currency or spec.currency == e["currency"])
                and (not spec.code or spec.code == e["code"])
            )
            if same and spec.amount != 0 and spec.amount != e["amount"]:
                same = False
            if same and spec.amount == 0 and e["post_pending_transfer"]:
                pending = self._pending(e["pending_id"])
                same = pending is not None and pending["amount"] == e["amount"]
        elif same:
            same = (
                spec.debit_account_id == e["debit_account_id"]
                and spec.credit_account_id == e["credit_account_id"]
                and spec.amount == e["amount"]
                and spec.currency == e["currency"]
                and spec.code == e["code"]
            )
        return R.EXISTS if same else R.EXISTS_WITH_DIFFERENT_FIELDS


def transfer_batch_apply(
    *, connection: BaseDatabaseWrapper, transfers: Sequence[TransferSpec], now: datetime
) -> list[TransferResult]:
    """Apply a batch. The caller holds an open transaction (``transaction.atomic``)."""
    with connection.wrap_database_errors:
        return TransferBatch(connection, now).run(transfers)
