"""The two sides of every case: okpay's ledger service and a minimal raw-SQL baseline.

Import this module only after ``django.setup()``. Both sides use Django's connection (same
driver, same connection settings, same ``transaction.atomic()``), so the difference between
them is okpay's own work: validation, result codes, the extra columns and guards.

The baseline keeps its own two tables in the same database:

* ``bench_account``: the same four BIGINT totals and limit flags as ``ledger_account``, with
  the same CHECK constraints;
* ``bench_transfer``: id primary key, both account foreign keys (deferred, as Django declares
  them), a positive amount, currency, code, creation time and the same two indexes as
  ``ledger_transfer``.

Per transfer, in one transaction per call, it inserts the transfer row and runs the two
conditional balance updates (debit limited by ``debits_must_not_exceed_credits``, credit by
``credits_must_not_exceed_debits``), in account-id order so concurrent clients never deadlock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from benchmarks.ledger_plan import (
    CURRENCY,
    FUNDING_ACCOUNT,
    FUNDING_AMOUNT,
    FUNDING_CODE,
    HOT_ACCOUNT,
    TRANSFER_CODE,
    WALLET_CODE,
    Row,
)

SIDES = ("baseline", "okpay")
CREATED = "created"
# Setup (funding) transfers are posted in chunks that stay under OKPAY_LEDGER_MAX_BATCH.
SETUP_CHUNK = 1_000


class BenchmarkFailure(Exception):
    """A side refused a transfer it should have accepted, or a final check failed."""


def _timestamp_type() -> str:
    return "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"


def baseline_schema() -> list[str]:
    return [
        "DROP TABLE IF EXISTS bench_transfer",
        "DROP TABLE IF EXISTS bench_account",
        """CREATE TABLE bench_account (
             id varchar(64) NOT NULL PRIMARY KEY,
             currency varchar(3) NOT NULL,
             debits_must_not_exceed_credits boolean NOT NULL,
             credits_must_not_exceed_debits boolean NOT NULL,
             debits_pending bigint NOT NULL,
             debits_posted bigint NOT NULL,
             credits_pending bigint NOT NULL,
             credits_posted bigint NOT NULL,
             CONSTRAINT bench_account_totals_not_negative CHECK (debits_pending >= 0
               AND debits_posted >= 0 AND credits_pending >= 0 AND credits_posted >= 0),
             CONSTRAINT bench_account_flags_exclusive CHECK (NOT (debits_must_not_exceed_credits
               AND credits_must_not_exceed_debits)),
             CONSTRAINT bench_account_debits_within_credits CHECK (
               NOT debits_must_not_exceed_credits
               OR credits_posted >= debits_posted + debits_pending),
             CONSTRAINT bench_account_credits_within_debits CHECK (
               NOT credits_must_not_exceed_debits
               OR debits_posted >= credits_posted + credits_pending)
           )""",
        f"""CREATE TABLE bench_transfer (
             id varchar(64) NOT NULL PRIMARY KEY,
             debit_account_id varchar(64) NOT NULL
               REFERENCES bench_account (id) DEFERRABLE INITIALLY DEFERRED,
             credit_account_id varchar(64) NOT NULL
               REFERENCES bench_account (id) DEFERRABLE INITIALLY DEFERRED,
             amount bigint NOT NULL CONSTRAINT bench_transfer_amount_positive CHECK (amount > 0),
             currency varchar(3) NOT NULL,
             code varchar(32) NOT NULL,
             created_at {_timestamp_type()} NOT NULL
           )""",
        "CREATE INDEX bench_tr_debit_idx ON bench_transfer (debit_account_id, created_at, id)",
        "CREATE INDEX bench_tr_credit_idx ON bench_transfer (credit_account_id, created_at, id)",
    ]


BASELINE_INSERT = (
    "INSERT INTO bench_transfer"
    " (id, debit_account_id, credit_account_id, amount, currency, code, created_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
BASELINE_DEBIT = (
    "UPDATE bench_account SET debits_posted = debits_posted + %s"
    " WHERE id = %s AND currency = %s"
    " AND (NOT debits_must_not_exceed_credits"
    " OR credits_posted >= debits_posted + debits_pending + %s)"
)
BASELINE_CREDIT = (
    "UPDATE bench_account SET credits_posted = credits_posted + %s"
    " WHERE id = %s AND currency = %s"
    " AND (NOT credits_must_not_exceed_debits"
    " OR debits_posted >= credits_posted + credits_pending + %s)"
)


def baseline_post(rows: Sequence[Row]) -> int:
    """Post ``rows`` in one transaction; raise (and roll back) if any leg is refused."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        for transfer_id, debit, credit, amount in rows:
            cursor.execute(
                BASELINE_INSERT, [transfer_id, debit, credit, amount, CURRENCY, TRANSFER_CODE, now]
            )
            legs = [(BASELINE_DEBIT, debit), (BASELINE_CREDIT, credit)]
            if credit < debit:
                legs.reverse()
            for sql, account_id in legs:
                cursor.execute(sql, [amount, account_id, CURRENCY, amount])
                if cursor.rowcount != 1:
                    raise BenchmarkFailure(f"baseline refused {transfer_id} on {account_id}")
    return len(rows)


def baseline_create_accounts(wallets: Sequence[str]) -> None:
    limited = [(account_id, True) for account_id in (*wallets, HOT_ACCOUNT)]
    rows = [(FUNDING_ACCOUNT, False), *limited]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bench_account (id, currency, debits_must_not_exceed_credits,"
            " credits_must_not_exceed_debits, debits_pending, debits_posted, credits_pending,"
            " credits_posted) VALUES (%s, %s, %s, %s, 0, 0, 0, 0)",
            [(account_id, CURRENCY, limited, False) for account_id, limited in rows],
        )


def okpay_create_accounts(wallets: Sequence[str]) -> None:
    from okpay.ledger import services
    from okpay.ledger.types import AccountFlag, AccountSpec

    limited = frozenset({AccountFlag.DEBITS_MUST_NOT_EXCEED_CREDITS})
    specs = [AccountSpec(id=FUNDING_ACCOUNT, currency=CURRENCY, code=FUNDING_CODE)] + [
        AccountSpec(id=account_id, currency=CURRENCY, code=WALLET_CODE, flags=limited)
        for account_id in (*wallets, HOT_ACCOUNT)
    ]
    results = services.accounts_create(accounts=specs)
    refused = Counter(str(r.status) for r in results if str(r.status) != CREATED)
    if refused or len(results) != len(specs):
        raise BenchmarkFailure(f"okpay refused to open the benchmark accounts: {dict(refused)}")


def funding_rows(wallets: Sequence[str]) -> list[Row]:
    return [
        (f"fund-{account_id}", FUNDING_ACCOUNT, account_id, FUNDING_AMOUNT)
        for account_id in (*wallets, HOT_ACCOUNT)
    ]


def chunks(rows: Sequence[Row], size: int = SETUP_CHUNK) -> list[list[Row]]:
    return [list(rows[start : start + size]) for start in range(0, len(rows), size)]


def prepare(side: str, calls: Sequence[Sequence[Row]]) -> list[Any]:
    """Turn rows into each side's own input, outside the timed region."""
    if side == "baseline":
        return [list(call) for call in calls]
    from okpay.ledger.types import TransferSpec

    return [
        [
            TransferSpec(
                id=transfer_id,
                debit_account_id=debit,
                credit_account_id=credit,
                amount=amount,
                currency=CURRENCY,
                code=TRANSFER_CODE,
            )
            for transfer_id, debit, credit, amount in call
        ]
        for call in calls
    ]


def post_all(side: str, prepared: Sequence[Any]) -> list[Any]:
    """The timed part: one service call (one transaction) per prepared call."""
    if side == "baseline":
        return [baseline_post(call) for call in prepared]
    from okpay.ledger.services import transfers_create

    return [transfers_create(transfers=call) for call in prepared]


def outcome(side: str, posted: Sequence[Any]) -> Counter[str]:
    """Result codes of a run: ``created`` for every accepted transfer."""
    if side == "baseline":
        return Counter({CREATED: sum(posted)})
    return Counter(str(result.status) for results in posted for result in results)


def require_created(side: str, counts: Counter[str], expected: int, *, what: str) -> None:
    refused = {status: n for status, n in counts.items() if status != CREATED}
    if refused or counts[CREATED] != expected:
        raise BenchmarkFailure(
            f"{side} created {counts[CREATED]} of {expected} transfers in {what};"
            f" other results: {refused}"
        )


def create_accounts(side: str, wallets: Sequence[str]) -> None:
    """Open the funding, wallet and hot accounts and fund every wallet."""
    if side == "baseline":
        baseline_create_accounts(wallets)
    else:
        okpay_create_accounts(wallets)
    rows = funding_rows(wallets)
    counts = outcome(side, post_all(side, prepare(side, chunks(rows))))
    require_created(side, counts, len(rows), what="funding")


def _tables(side: str) -> tuple[str, str]:
    if side == "baseline":
        return "bench_account", "bench_transfer"
    return "ledger_account", "ledger_transfer"


def check_books(side: str, *, expected_transfers: int) -> list[str]:
    """Recompute the side's books from its transfers; return the problems found."""
    account, transfer = _tables(side)
    problems = []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {transfer}")
        (count,) = cursor.fetchone()
        if count != expected_transfers:
            problems.append(f"{transfer} has {count} rows, expected {expected_transfers}")
        cursor.execute(
            f"SELECT coalesce(sum(debits_posted), 0), coalesce(sum(credits_posted), 0)"
            f" FROM {account}"
        )
        debits, credits = cursor.fetchone()
        if debits != credits:
            problems.append(f"{account}: posted debits {debits} != posted credits {credits}")
        cursor.execute(
            f"SELECT count(*) FROM {account} a WHERE"
            f" a.debits_posted <> (SELECT coalesce(sum(t.amount), 0) FROM {transfer} t"
            f"   WHERE t.debit_account_id = a.id)"
            f" OR a.credits_posted <> (SELECT coalesce(sum(t.amount), 0) FROM {transfer} t"
            f"   WHERE t.credit_account_id = a.id)"
        )
        (mismatched,) = cursor.fetchone()
        if mismatched:
            problems.append(f"{account}: {mismatched} balances differ from their transfers")
    return problems


def okpay_ledger_verify(*, expected_transfers: int) -> list[str]:
    """okpay's own ``ledger_verify()``; the problems it reports."""
    from okpay.ledger.selectors import ledger_verify

    report = ledger_verify()
    problems = [report.summary, *report.violations[:10]] if not report.ok else []
    if report.transfers != expected_transfers:
        problems.append(
            f"ledger_verify() counted {report.transfers} transfers, expected {expected_transfers}"
        )
    return problems
