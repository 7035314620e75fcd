"""Writes to the ledger: open accounts, post transfers, expire pending transfers."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.errors import InvalidInput, ServiceUnavailable
from okpay.identity.models import ApiToken, User
from okpay.identity.services import audit_record
from okpay.ledger.models import ID_MAX_LENGTH, PendingStatus, PendingTransfer
from okpay.ledger.posting import (
    CODE_MAX_LENGTH,
    RetryBatch,
    load_metadata,
    metadata_json,
    run_chains,
    sql_for,
    transfer_batch_apply,
)
from okpay.ledger.types import AccountFlag, AccountResult, AccountSpec, TransferResult, TransferSpec
from okpay.ledger.types import CreateAccountResult as AR
from okpay.money.currencies import find_currency

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
KNOWN_ACCOUNT_FLAGS = frozenset(f.value for f in AccountFlag)


class BatchTooLarge(InvalidInput):
    code = "batch_too_large"
    default_message = _("Send at most 8,000 items in one request.")


class LedgerBusy(ServiceUnavailable):
    code = "ledger_busy"
    default_message = _("The ledger is busy. Nothing was changed; please try again shortly.")


def _is_retryable(exc: DatabaseError) -> bool:
    """Deadlocks and serialization failures (PostgreSQL) and lock timeouts (SQLite)."""
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate in ("40001", "40P01", "55P03"):
        return True
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


def _with_retries(label: str, work: Any) -> Any:
    """Run ``work()`` in a fresh transaction, again after a deadlock or a lost race."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            with transaction.atomic():
                return work()
        except RetryBatch:
            pass
        except IntegrityError:
            # A unique index lost a race the conditional statements could not foresee;
            # the next attempt reads the winner's row and answers `exists`.
            if attempt == MAX_ATTEMPTS:
                raise
        except OperationalError as exc:
            if not _is_retryable(exc):
                raise
        logger.info("%s: retrying after a concurrent change (attempt %d)", label, attempt)
        time.sleep(random.uniform(0, 0.002 * attempt))
    raise LedgerBusy()


def _check_batch(items: Sequence[Any], field: str) -> None:
    limit = settings.OKPAY_LEDGER_MAX_BATCH
    if len(items) > limit:
        raise BatchTooLarge(field=field, limit=limit, received=len(items))


def transfers_create(
    *,
    transfers: Sequence[TransferSpec],
    now: datetime | None = None,
    actor: User | None = None,
    actor_token: ApiToken | None = None,
) -> list[TransferResult]:
    """Post a batch of transfers atomically; one result per transfer, in order.

    Independent transfers succeed or fail alone; a linked chain as a whole. With ``actor``
    or ``actor_token`` an audit row for the batch is written in the same transaction.
    """
    _check_batch(transfers, "transfers")
    if not transfers:
        return []
    at = now or timezone.now()

    def work() -> list[TransferResult]:
        results = transfer_batch_apply(connection=connection, transfers=transfers, now=at)
        if actor is not None or actor_token is not None:
            created = [r.id for r in results if r.status == "created"]
            audit_record(
                action="ledger.transfers_created",
                actor=actor,
                actor_token=actor_token,
                object_type="ledger_batch",
                object_id=created[0] if created else "",
                data={
                    "submitted": len(transfers),
                    "created": len(created),
                    "created_ids": created[:100],
                },
            )
        return results

    return _with_retries("transfers_create", work)


def _validate_account(spec: AccountSpec) -> str | None:
    if not spec.id:
        return AR.ID_MUST_NOT_BE_EMPTY
    if len(spec.id) > ID_MAX_LENGTH:
        return AR.ID_TOO_LONG
    if not spec.flags <= KNOWN_ACCOUNT_FLAGS:
        return AR.UNKNOWN_FLAG
    if (
        AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS in spec.flags
        and AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS in spec.flags
    ):
        return AR.FLAGS_ARE_MUTUALLY_EXCLUSIVE
    if not spec.currency or find_currency(spec.currency) is None:
        return AR.CURRENCY_NOT_SUPPORTED
    if not spec.code:
        return AR.CODE_MUST_NOT_BE_EMPTY
    if len(spec.code) > CODE_MAX_LENGTH:
        return AR.CODE_TOO_LONG
    return None


def accounts_create(
    *,
    accounts: Sequence[AccountSpec],
    actor: User | None = None,
    actor_token: ApiToken | None = None,
) -> list[AccountResult]:
    """Open accounts; retrying an identical account answers ``exists``."""
    _check_batch(accounts, "accounts")
    if not accounts:
        return []
    at = timezone.now()
    sql = sql_for(connection)

    def apply_one(index: int, spec: AccountSpec) -> str:
        invalid = _validate_account(spec)
        if invalid is not None:
            return invalid
        dr_limited = AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS in spec.flags
        cr_limited = AccountFlag.CREDITS_MUST_NOT_EXCEED_DEBITS in spec.flags
        with connection.cursor() as cursor:
            cursor.execute(
                sql.insert_account,
                (
                    spec.id,
                    spec.currency,
                    spec.code,
                    dr_limited,
                    cr_limited,
                    metadata_json(spec.metadata),
                    connection.ops.adapt_datetimefield_value(at),
                ),
            )
            if cursor.rowcount == 1:
                return AR.CREATED
            cursor.execute(sql.select_account, (spec.id,))
            row = cursor.fetchone()
        if row is None:
            raise RetryBatch(spec.id)
        currency, code, dr_flag, cr_flag, stored_metadata = row
        metadata = load_metadata(stored_metadata)
        same = (
            currency == spec.currency
            and code == spec.code
            and bool(dr_flag) == dr_limited
            and bool(cr_flag) == cr_limited
            and metadata == spec.metadata
        )
        return AR.EXISTS if same else AR.EXISTS_WITH_DIFFERENT_FIELDS

    def work() -> list[AccountResult]:
        codes = run_chains(
            accounts,
            is_linked=lambda s: AccountFlag.LINKED in s.flags,
            apply_one=apply_one,
            created=AR.CREATED,
            linked_event_failed=AR.LINKED_EVENT_FAILED,
            linked_event_chain_open=AR.LINKED_EVENT_CHAIN_OPEN,
        )
        results = [
            AccountResult(id=s.id, status=AR(c)) for s, c in zip(accounts, codes, strict=True)
        ]
        created = [r.id for r in results if r.status == AR.CREATED]
        if created and (actor is not None or actor_token is not None):
            audit_record(
                action="ledger.accounts_created",
                actor=actor,
                actor_token=actor_token,
                object_type="ledger_account",
                object_id=created[0],
                data={"created_ids": created[:100], "created": len(created)},
            )
        return results

    return _with_retries("accounts_create", work)


def pending_transfers_expire(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Release the hold of every pending transfer whose timeout has passed.

    Idempotent and safe beside posting: each one is expired under the same account locks
    that a post or void takes, and only while it is still pending.
    """
    at = now or timezone.now()
    expired = 0
    while True:
        due = list(
            PendingTransfer.objects.filter(status=PendingStatus.PENDING, expires_at__lte=at)
            .order_by("expires_at", "transfer_id")
            .values_list("transfer_id", flat=True)[:batch_size]
        )
        for transfer_id in due:
            expired += _with_retries(
                "pending_transfers_expire", lambda t=transfer_id: _expire_one(t, at)
            )
        if len(due) < batch_size:
            return expired


def _expire_one(transfer_id: str, at: datetime) -> int:
    sql = sql_for(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql.select_pending, (transfer_id,))
        row = cursor.fetchone()
        if row is None:
            return 0
        dr_id, cr_id, amount = row[0], row[1], row[2]
        cursor.execute(sql.select_accounts + sql.lock_suffix, (dr_id, cr_id))
        cursor.fetchall()
        cursor.execute(
            sql.resolve_pending + " AND expires_at <= %s",
            (
                "expired",
                connection.ops.adapt_datetimefield_value(at),
                transfer_id,
                connection.ops.adapt_datetimefield_value(at),
            ),
        )
        if cursor.rowcount != 1:
            return 0
        cursor.execute(sql.settle_debit, (amount, 0, dr_id))
        cursor.execute(sql.settle_credit, (amount, 0, cr_id))
    return 1
