"""Reads from the ledger, and the proof that it is consistent (`okpay ledger verify`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from okpay.errors import InvalidInput, NotFound
from okpay.ledger.models import Account, PendingTransfer, Transfer


def account_get(*, account_id: str) -> Account:
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        raise NotFound(_("No ledger account has this id."), field="id", id=account_id)
    return account


def transfer_get(*, transfer_id: str) -> Transfer:
    transfer = Transfer.objects.select_related("pending_state").filter(pk=transfer_id).first()
    if transfer is None:
        raise NotFound(_("No ledger transfer has this id."), field="id", id=transfer_id)
    return transfer


def transfer_pending_status(*, transfer: Transfer) -> str | None:
    """pending / posted / voided / expired for a pending transfer, None for the others."""
    if not transfer.pending:
        return None
    try:
        return transfer.pending_state.status
    except PendingTransfer.DoesNotExist:
        return None


@dataclass(frozen=True)
class TransferPage:
    items: list[Transfer]
    has_more: bool

    @property
    def next_cursor(self) -> str | None:
        return self.items[-1].id if self.has_more and self.items else None


def account_transfers_list(
    *, account_id: str, limit: int = 50, starting_after: str | None = None
) -> TransferPage:
    """Transfers that debit or credit the account, oldest first, ``limit`` at a time."""
    account_get(account_id=account_id)
    queryset = Transfer.objects.filter(
        Q(debit_account_id=account_id) | Q(credit_account_id=account_id)
    )
    if starting_after:
        cursor = queryset.filter(pk=starting_after).values_list("created_at", "id").first()
        if cursor is None:
            raise InvalidInput(
                _("The cursor does not name a transfer of this account."), field="starting_after"
            )
        created_at, cursor_id = cursor
        queryset = queryset.filter(
            Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=cursor_id)
        )
    rows = list(queryset.order_by("created_at", "id")[: limit + 1])
    return TransferPage(items=rows[:limit], has_more=len(rows) > limit)


# --- verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyReport:
    accounts: int
    transfers: int
    currencies: int
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def summary(self) -> str:
        state = "ok" if self.ok else f"FAILED with {len(self.violations)} violation(s)"
        return (
            f"ledger {state}: {self.accounts} accounts, {self.transfers} transfers, "
            f"{self.currencies} currencies; debits = credits per currency, balances = sums "
            "of transfers, limits respected"
            if self.ok
            else f"ledger {state}: {self.accounts} accounts, {self.transfers} transfers, "
            f"{self.currencies} currencies"
        )


def _sums(sql: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0]: int(row[1]) for row in cursor.fetchall()}


def ledger_verify() -> VerifyReport:
    """Prove the ledger's invariants from the rows themselves.

    1. Per currency, total debits equal total credits (posted and pending).
    2. Every account's four totals equal the sums of its transfers.
    3. No account with a balance flag is beyond its limit.
    4. Every post/void matches its pending transfer, and every resolved pending transfer
       (other than an expired one) has exactly its one post or void.
    """
    t = Transfer._meta.db_table
    p = PendingTransfer._meta.db_table
    false = "FALSE" if connection.vendor == "postgresql" else "0"
    settled = f"FROM {t} WHERE pending = {false} AND void_pending_transfer = {false}"
    debits_posted = _sums(
        f"SELECT debit_account_id, SUM(amount) {settled} GROUP BY debit_account_id"
    )
    credits_posted = _sums(
        f"SELECT credit_account_id, SUM(amount) {settled} GROUP BY credit_account_id"
    )
    held = f"FROM {t} t JOIN {p} s ON s.transfer_id = t.id WHERE s.status = 'pending'"
    debits_pending = _sums(
        f"SELECT t.debit_account_id, SUM(t.amount) {held} GROUP BY t.debit_account_id"
    )
    credits_pending = _sums(
        f"SELECT t.credit_account_id, SUM(t.amount) {held} GROUP BY t.credit_account_id"
    )

    violations: list[str] = []
    per_currency: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    accounts = 0
    fields = (
        "id",
        "currency",
        "debits_pending",
        "debits_posted",
        "credits_pending",
        "credits_posted",
        "debits_must_not_exceed_credits",
        "credits_must_not_exceed_debits",
    )
    for row in Account.objects.order_by("id").values_list(*fields).iterator(chunk_size=2000):
        accounts += 1
        acc_id, currency, dp, dpo, cp, cpo, dr_limited, cr_limited = row
        totals = per_currency[currency]
        totals[0] += dp
        totals[1] += dpo
        totals[2] += cp
        totals[3] += cpo
        expected = (
            ("debits_pending", dp, debits_pending.pop(acc_id, 0)),
            ("debits_posted", dpo, debits_posted.pop(acc_id, 0)),
            ("credits_pending", cp, credits_pending.pop(acc_id, 0)),
            ("credits_posted", cpo, credits_posted.pop(acc_id, 0)),
        )
        for name, have, want in expected:
            if have != want:
                violations.append(
                    f"account {acc_id}: {name} is {have} but its transfers sum to {want}"
                )
        if dr_limited and dp + dpo > cpo:
            violations.append(
                f"account {acc_id}: debits {dp + dpo} exceed credits {cpo} "
                "(debits_must_not_exceed_credits)"
            )
        if cr_limited and cp + cpo > dpo:
            violations.append(
                f"account {acc_id}: credits {cp + cpo} exceed debits {dpo} "
                "(credits_must_not_exceed_debits)"
            )
    for leftover in (debits_posted, credits_posted, debits_pending, credits_pending):
        for acc_id, amount in leftover.items():
            violations.append(f"transfers of {amount} name account {acc_id}, which does not exist")
    for currency, (dp, dpo, cp, cpo) in sorted(per_currency.items()):
        if dpo != cpo:
            violations.append(f"currency {currency}: posted debits {dpo} != posted credits {cpo}")
        if dp != cp:
            violations.append(f"currency {currency}: pending debits {dp} != pending credits {cp}")
    violations.extend(_pending_consistency())
    violations.extend(_currency_consistency())
    return VerifyReport(
        accounts=accounts,
        transfers=Transfer.objects.count(),
        currencies=len(per_currency),
        violations=violations,
    )


def _pending_consistency() -> list[str]:
    t = Transfer._meta.db_table
    p = PendingTransfer._meta.db_table
    problems: list[str] = []
    with connection.cursor() as cursor:
        # A resolution must match the pending transfer and its recorded status.
        cursor.execute(
            "SELECT r.id, r.post_pending_transfer, r.amount, o.amount, o.pending, s.status, "
            "r.debit_account_id = o.debit_account_id AND r.credit_account_id = o.credit_account_id "
            f"FROM {t} r JOIN {t} o ON o.id = r.pending_id LEFT JOIN {p} s ON s.transfer_id = o.id "
            "WHERE r.pending_id IS NOT NULL"
        )
        for rid, is_post, amount, held, was_pending, status, same_accounts in cursor.fetchall():
            want_status = "posted" if is_post else "voided"
            if not was_pending:
                problems.append(f"transfer {rid} resolves a transfer that was never pending")
            elif status != want_status:
                problems.append(f"transfer {rid} is a {want_status[:-2]} but the hold is {status}")
            if (is_post and amount > held) or (not is_post and amount != held):
                problems.append(f"transfer {rid} moves {amount} of a hold of {held}")
            if not same_accounts:
                problems.append(f"transfer {rid} names other accounts than its pending transfer")
        # Every posted/voided hold has its resolution; every pending transfer has a state.
        cursor.execute(
            f"SELECT s.transfer_id, s.status FROM {p} s "
            f"LEFT JOIN {t} r ON r.pending_id = s.transfer_id "
            "WHERE s.status IN ('posted', 'voided') AND r.id IS NULL"
        )
        for tid, status in cursor.fetchall():
            problems.append(f"pending transfer {tid} is {status} but no transfer resolves it")
        true = "TRUE" if connection.vendor == "postgresql" else "1"
        cursor.execute(
            f"SELECT t.id FROM {t} t LEFT JOIN {p} s ON s.transfer_id = t.id "
            f"WHERE t.pending = {true} AND s.transfer_id IS NULL"
        )
        for (tid,) in cursor.fetchall():
            problems.append(f"pending transfer {tid} has no pending state")
    return problems


def _currency_consistency() -> list[str]:
    t = Transfer._meta.db_table
    a = Account._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id FROM {t} t JOIN {a} d ON d.id = t.debit_account_id "
            f"JOIN {a} c ON c.id = t.credit_account_id "
            "WHERE t.currency <> d.currency OR t.currency <> c.currency"
        )
        return [
            f"transfer {tid} moves a currency its accounts do not hold"
            for (tid,) in cursor.fetchall()
        ]
