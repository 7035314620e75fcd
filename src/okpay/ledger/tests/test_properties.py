"""Random operation sequences checked against a reference model of the ledger.

Each example opens its own accounts (ids carry a per-example prefix) and runs batches of
plain, pending, post, void and retried transfers, some in linked chains, with a clock
that only moves forward and an expiry sweep after every tick. After every step the four
totals of every account must equal the model's, every result code must be one the model
allows, and after the sequence ``ledger_verify`` must find nothing wrong.

Where the specification leaves the order of two failures open (a post that is both too
large and already posted, say) the model accepts either code; the effect is the same.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from okpay.ledger.models import Account, PendingTransfer
from okpay.ledger.tests.fixtures import CREDIT_LIMIT, T0, WALLET_LIMIT, Totals, open_accounts
from okpay.ledger.types import AccountSpec, CreateAccountResult, TransferSpec
from okpay.ledger.types import CreateTransferResult as R

CURRENCIES = ("USD", "EUR")
TIMEOUTS = (0, 25, 25, 95)  # never a multiple of the 10-second tick: no expiry lands on a tick
TICK = timedelta(seconds=10)
MUTATED_CODE = "mutated"

_example_numbers = itertools.count(1)
# Every example starts a day after the previous one, so sweeps never meet older holds.
_example_days = itertools.count(1)


# --- the reference model -------------------------------------------------------------------


@dataclass
class ModelAccount:
    currency: str
    limit: str  # "", "debits" (debits_must_not_exceed_credits) or "credits"
    debits_pending: int = 0
    debits_posted: int = 0
    credits_pending: int = 0
    credits_posted: int = 0

    def totals(self) -> Totals:
        return Totals(
            self.debits_pending, self.debits_posted, self.credits_pending, self.credits_posted
        )


@dataclass
class ModelPending:
    debit: str
    credit: str
    amount: int
    currency: str
    code: str
    expires_at: datetime | None
    status: str = "pending"


@dataclass
class ModelLedger:
    accounts: dict[str, ModelAccount] = field(default_factory=dict)
    stored: dict[str, TransferSpec] = field(default_factory=dict)  # created, as submitted
    pendings: dict[str, ModelPending] = field(default_factory=dict)

    # -- one transfer --

    def apply(self, spec: TransferSpec, now: datetime) -> frozenset[R]:
        """Apply one transfer; return the result codes the specification allows."""
        if spec.id in self.stored:
            return self._exists(spec)
        if spec.flags & {"post_pending_transfer", "void_pending_transfer"}:
            return self._resolve(spec, now)
        dr, cr = self.accounts[spec.debit_account_id], self.accounts[spec.credit_account_id]
        if spec.currency != dr.currency or spec.currency != cr.currency:
            return frozenset({R.CURRENCY_MISMATCH})
        amount = spec.amount
        if dr.limit == "debits" and dr.debits_posted + dr.debits_pending + amount > (
            dr.credits_posted
        ):
            return frozenset({R.EXCEEDS_CREDITS})
        if cr.limit == "credits" and cr.credits_posted + cr.credits_pending + amount > (
            cr.debits_posted
        ):
            return frozenset({R.EXCEEDS_DEBITS})
        if "pending" in spec.flags:
            dr.debits_pending += amount
            cr.credits_pending += amount
            expires = (
                now + timedelta(seconds=spec.timeout_seconds) if spec.timeout_seconds else None
            )
            self.pendings[spec.id] = ModelPending(
                spec.debit_account_id,
                spec.credit_account_id,
                amount,
                spec.currency,
                spec.code,
                expires,
            )
        else:
            dr.debits_posted += amount
            cr.credits_posted += amount
        self.stored[spec.id] = spec
        return frozenset({R.CREATED})

    def _exists(self, spec: TransferSpec) -> frozenset[R]:
        original = self.stored[spec.id]
        if original == spec:
            return frozenset({R.EXISTS})
        if replace(original, flags=original.flags - {"linked"}) == replace(
            spec, flags=spec.flags - {"linked"}
        ):
            # Whether ``linked`` is one of the compared fields is left open.
            return frozenset({R.EXISTS, R.EXISTS_WITH_DIFFERENT_FIELDS})
        return frozenset({R.EXISTS_WITH_DIFFERENT_FIELDS})

    def _resolve(self, spec: TransferSpec, now: datetime) -> frozenset[R]:
        assert spec.pending_id is not None
        if spec.pending_id not in self.stored:
            return frozenset({R.PENDING_TRANSFER_NOT_FOUND})
        p = self.pendings.get(spec.pending_id)
        if p is None:
            return frozenset({R.PENDING_TRANSFER_NOT_PENDING})
        is_post = "post_pending_transfer" in spec.flags
        codes: set[R] = set()
        if spec.debit_account_id and spec.debit_account_id != p.debit:
            codes.add(R.PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID)
        if spec.credit_account_id and spec.credit_account_id != p.credit:
            codes.add(R.PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID)
        if spec.currency and spec.currency != p.currency:
            codes.add(R.PENDING_TRANSFER_HAS_DIFFERENT_CURRENCY)
        if spec.code and spec.code != p.code:
            codes.add(R.PENDING_TRANSFER_HAS_DIFFERENT_CODE)
        if is_post and spec.amount > p.amount:
            codes.add(R.EXCEEDS_PENDING_TRANSFER_AMOUNT)
        if not is_post and spec.amount not in (0, p.amount):
            codes.add(R.PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT)
        if p.status == "posted":
            codes.add(R.PENDING_TRANSFER_ALREADY_POSTED)
        elif p.status == "voided":
            codes.add(R.PENDING_TRANSFER_ALREADY_VOIDED)
        elif p.status == "expired" or (p.expires_at is not None and p.expires_at <= now):
            codes.add(R.PENDING_TRANSFER_EXPIRED)
        if codes:
            return frozenset(codes)
        dr, cr = self.accounts[p.debit], self.accounts[p.credit]
        dr.debits_pending -= p.amount
        cr.credits_pending -= p.amount
        if is_post:
            posted = spec.amount or p.amount
            dr.debits_posted += posted
            cr.credits_posted += posted
            p.status = "posted"
        else:
            p.status = "voided"
        self.stored[spec.id] = spec
        return frozenset({R.CREATED})

    # -- a batch --

    def apply_batch(self, specs: list[TransferSpec], now: datetime) -> list[frozenset[R]]:
        """Chains are all or nothing: a failing link names its code, the others fail."""
        expected: list[frozenset[R]] = []
        start = 0
        while start < len(specs):
            end = start
            while "linked" in specs[end].flags:
                end += 1  # the generator never leaves a chain open
            chain = specs[start : end + 1]
            saved = copy.deepcopy((self.accounts, self.stored, self.pendings))
            outcomes = []
            for position, spec in enumerate(chain):
                codes = self.apply(spec, now)
                outcomes.append(codes)
                if len(chain) > 1 and codes != {R.CREATED}:
                    self.accounts, self.stored, self.pendings = saved
                    outcomes = [frozenset({R.LINKED_EVENT_FAILED})] * len(chain)
                    outcomes[position] = codes
                    break
            expected.extend(outcomes)
            start = end + 1
        return expected

    def expire(self, now: datetime) -> int:
        count = 0
        for p in self.pendings.values():
            if p.status == "pending" and p.expires_at is not None and p.expires_at <= now:
                self.accounts[p.debit].debits_pending -= p.amount
                self.accounts[p.credit].credits_pending -= p.amount
                p.status = "expired"
                count += 1
        return count


# --- generating operations -----------------------------------------------------------------

ACCOUNT_KINDS = st.lists(
    st.tuples(st.sampled_from(CURRENCIES), st.sampled_from(["", "debits", "credits"])),
    min_size=2,
    max_size=6,
)


def _draw_transfer(
    data: st.DataObject,
    *,
    prefix: str,
    ids: itertools.count[int],
    model: ModelLedger,
    submitted: list[TransferSpec],
    batch: list[TransferSpec],
    linked: bool,
) -> TransferSpec:
    """One transfer, drawn so that most of them can succeed (same currency, funded)."""
    flags = {"linked"} if linked else set()
    kind = data.draw(
        st.sampled_from(["plain", "plain", "pending", "pending", "post", "void", "retry"])
    )
    holds = list(model.pendings) + [s.id for s in batch if "pending" in s.flags]
    if kind in ("post", "void") and holds:
        others = [s.id for s in submitted] + [f"{prefix}missing"]
        target = data.draw(
            st.sampled_from(holds) if data.draw(st.integers(0, 5)) else st.sampled_from(others)
        )
        known = model.pendings.get(target)
        held = known.amount if known else next((s.amount for s in batch if s.id == target), 1)
        amount = data.draw(st.sampled_from([0, 0, held, max(held // 2, 1), held + 1]))
        code = data.draw(st.sampled_from(["", "", "", "payment", MUTATED_CODE]))
        return TransferSpec(
            id=f"{prefix}t{next(ids)}",
            amount=amount,
            code=code,
            flags=frozenset(flags | {f"{kind}_pending_transfer"}),
            pending_id=target,
        )
    if kind == "retry" and submitted:
        original = data.draw(st.sampled_from(submitted))
        spec = replace(original, flags=frozenset((original.flags - {"linked"}) | flags))
        if data.draw(st.booleans()):
            return spec
        if spec.flags & {"post_pending_transfer", "void_pending_transfer"}:
            return replace(spec, code=MUTATED_CODE)
        return replace(spec, amount=spec.amount + 1)
    accounts = model.accounts
    names = sorted(accounts)
    banks = [n for n in names if "bank:" in n]
    debit = data.draw(
        st.sampled_from(banks) if data.draw(st.booleans()) else st.sampled_from(names)
    )
    same = [n for n in names if n != debit and accounts[n].currency == accounts[debit].currency]
    any_other = [n for n in names if n != debit]
    prefer_same = bool(same) and data.draw(st.integers(0, 7)) > 0
    credit = data.draw(st.sampled_from(same if prefer_same else any_other))
    currency = accounts[debit].currency
    if not data.draw(st.integers(0, 9)):
        currency = data.draw(st.sampled_from(CURRENCIES))
    timeout = 0
    if kind == "pending":
        flags.add("pending")
        timeout = data.draw(st.sampled_from(TIMEOUTS))
    return TransferSpec(
        id=f"{prefix}t{next(ids)}",
        debit_account_id=debit,
        credit_account_id=credit,
        amount=data.draw(st.integers(min_value=1, max_value=3_000)),
        currency=currency,
        code="payment",
        flags=frozenset(flags),
        timeout_seconds=timeout,
    )


def _assert_totals_match(model: ModelLedger) -> None:
    rows = Account.objects.filter(pk__in=list(model.accounts))
    actual = {
        a.id: Totals(a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
        for a in rows
    }
    assert actual == {name: acc.totals() for name, acc in model.accounts.items()}


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(kinds=ACCOUNT_KINDS, data=st.data())
def test_random_operations_keep_the_ledger_sound(
    kinds: list[tuple[str, str]], data: st.DataObject
) -> None:
    from okpay.ledger.selectors import ledger_verify
    from okpay.ledger.services import pending_transfers_expire, transfers_create

    prefix = f"x{next(_example_numbers)}:"
    now = T0 + timedelta(days=next(_example_days))
    pending_transfers_expire(now=now)  # holds left by earlier examples are theirs
    model = ModelLedger()

    # given a bank per currency and the drawn accounts
    openings = [AccountSpec(id=f"{prefix}bank:{c}", currency=c, code="bank") for c in CURRENCIES]
    for n, (currency, limit) in enumerate(kinds):
        flags = {"debits": WALLET_LIMIT, "credits": CREDIT_LIMIT}.get(limit, frozenset())
        openings.append(
            AccountSpec(id=f"{prefix}a{n}", currency=currency, code="test", flags=flags)
        )
        model.accounts[f"{prefix}a{n}"] = ModelAccount(currency, limit)
    for currency in CURRENCIES:
        model.accounts[f"{prefix}bank:{currency}"] = ModelAccount(currency, "")
    assert open_accounts(*openings) == [CreateAccountResult.CREATED] * len(openings)

    ids = itertools.count(1)
    submitted: list[TransferSpec] = []
    for _step in range(data.draw(st.integers(min_value=1, max_value=15), label="steps")):
        if data.draw(st.integers(min_value=0, max_value=3)) == 0:
            # when the clock moves on and the sweep runs
            now += TICK * data.draw(st.integers(min_value=1, max_value=12), label="ticks")
            expected_expired = model.expire(now)
            assert pending_transfers_expire(now=now) == expected_expired
            event(f"expired by the sweep: {min(expected_expired, 2)}")
        else:
            # when a batch is sent
            size = data.draw(st.integers(min_value=1, max_value=4), label="batch size")
            batch: list[TransferSpec] = []
            for position in range(size):
                linked = position < size - 1 and data.draw(st.booleans(), label="linked")
                spec = _draw_transfer(
                    data,
                    prefix=prefix,
                    ids=ids,
                    model=model,
                    submitted=submitted,
                    batch=batch,
                    linked=linked,
                )
                batch.append(spec)
                submitted.append(spec)
            expected = model.apply_batch(batch, now)
            results = transfers_create(transfers=batch, now=now)
            # then every result is one the model allows
            assert [r.id for r in results] == [s.id for s in batch]
            for spec, result, allowed in zip(batch, results, expected, strict=True):
                assert result.status in allowed, (spec, result.status, allowed)
                event(f"result: {result.status}")
        # and the balances are the model's
        _assert_totals_match(model)

    # then the pending states and the whole ledger are sound
    rows = PendingTransfer.objects.filter(transfer__id__startswith=prefix)
    states = dict(rows.values_list("transfer_id", "status"))
    assert states == {pid: p.status for pid, p in model.pendings.items()}
    report = ledger_verify()
    assert report.violations == []
    assert report.ok
