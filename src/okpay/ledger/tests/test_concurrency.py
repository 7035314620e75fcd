"""Real threads posting at once: nothing is lost, doubled or overdrawn.

Each test commits for real (``transaction=True``): every thread has its own database
connection and closes it when done. The same tests run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import timedelta

import pytest
from django.db import connection

from okpay.ledger.models import Account, PendingStatus, PendingTransfer, Transfer
from okpay.ledger.tests.fixtures import (
    T0,
    WALLET_LIMIT,
    MakeAccount,
    post,
    submit,
    transfer,
    void,
)
from okpay.ledger.types import CreateTransferResult as R
from okpay.ledger.types import TransferSpec

THREADS = 8


def _run_threads(jobs: Sequence[Callable[[], None]]) -> list[BaseException]:
    """Start every job at the same moment in its own thread; return what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            barrier.wait()
            job()
        except BaseException as exc:  # noqa: BLE001 - reported by the test, not swallowed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a posting thread hung"
    return errors


def _verify_ok() -> None:
    from okpay.ledger.selectors import ledger_verify

    report = ledger_verify()
    assert report.violations == []
    assert report.ok


@pytest.mark.django_db(transaction=True)
def test_duplicate_submissions_from_racing_threads_apply_each_transfer_once(
    make_account: MakeAccount,
) -> None:
    from okpay.ledger.services import transfers_create

    # given 50 wallets that may not go below zero, funded with 10.00 each from one bank
    bank = make_account("bank:USD", code="bank")
    wallets = [make_account(f"wallet:{n:02d}", flags=WALLET_LIMIT) for n in range(50)]
    funding = [transfer(f"fund-{w}", bank, w, 1_000) for w in wallets]
    assert submit(*funding) == [R.CREATED] * len(wallets)
    # and 300 random transfers between them, each handed to two threads in shuffled orders
    rng = random.Random(4217)
    specs: dict[str, TransferSpec] = {}
    for n in range(300):
        debit, credit = rng.sample(wallets, 2)
        specs[f"tx-{n:03d}"] = transfer(f"tx-{n:03d}", debit, credit, rng.randint(1, 600))
    queues: list[list[TransferSpec]] = [[] for _ in range(THREADS)]
    for spec in specs.values():
        first, second = rng.sample(range(THREADS), 2)
        queues[first].append(spec)
        queues[second].append(spec)
    for queue in queues:
        rng.shuffle(queue)

    outcomes: dict[str, list[R]] = defaultdict(list)
    lock = threading.Lock()

    def sender(queue: list[TransferSpec], seed: int) -> Callable[[], None]:
        def job() -> None:
            local = random.Random(seed)
            i = 0
            while i < len(queue):
                batch = queue[i : i + local.randint(1, 3)]
                i += len(batch)
                results = transfers_create(transfers=batch)
                with lock:
                    for result in results:
                        outcomes[result.id].append(result.status)

        return job

    # when the eight threads send at once
    errors = _run_threads([sender(queue, seed) for seed, queue in enumerate(queues)])

    # then no thread failed and every transfer got two answers
    assert errors == []
    assert {tid: len(codes) for tid, codes in outcomes.items()} == dict.fromkeys(specs, 2)
    # and each transfer was applied at most once, exactly when one answer was `created`
    rows = Counter(Transfer.objects.filter(pk__startswith="tx-").values_list("id", flat=True))
    for tid, codes in outcomes.items():
        created = codes.count(R.CREATED)
        assert created <= 1, (tid, codes)
        assert rows[tid] == created, (tid, codes)
        assert set(codes) <= {R.CREATED, R.EXISTS, R.EXCEEDS_CREDITS}, (tid, codes)
        if R.EXISTS in codes:
            assert created == 1, (tid, codes)
    applied = [specs[tid] for tid, codes in outcomes.items() if R.CREATED in codes]
    assert applied, "no transfer went through"
    assert any(R.EXISTS in codes for codes in outcomes.values()), "no duplicate was caught"
    # and every wallet holds what the applied transfers say, never below zero
    expected_debits: Counter[str] = Counter()
    expected_credits: Counter[str] = Counter(dict.fromkeys(wallets, 1_000))
    for spec in applied:
        expected_debits[spec.debit_account_id] += spec.amount
        expected_credits[spec.credit_account_id] += spec.amount
    for account in Account.objects.filter(pk__in=wallets):
        assert account.debits_posted == expected_debits[account.id], account.id
        assert account.credits_posted == expected_credits[account.id], account.id
        assert account.balance >= 0, account.id
        assert (account.debits_pending, account.credits_pending) == (0, 0)
    # and money was only moved, never made
    assert sum(a.balance for a in Account.objects.filter(pk__in=wallets)) == 50 * 1_000
    assert Account.objects.get(pk=bank).balance == -50 * 1_000
    _verify_ok()


@pytest.mark.django_db(transaction=True)
def test_racing_posts_and_voids_resolve_each_hold_once(make_account: MakeAccount) -> None:
    from okpay.ledger.services import transfers_create

    # given 20 holds of 5.00 from one wallet to a shop
    bank = make_account("bank:USD", code="bank")
    wallet = make_account("wallet:alice", flags=WALLET_LIMIT)
    shop = make_account("merchant:shop", code="merchant")
    assert submit(transfer("fund", bank, wallet, 10_000)) == [R.CREATED]
    holds = [transfer(f"p{n:02d}", wallet, shop, 500, flags={"pending"}) for n in range(20)]
    assert submit(*holds) == [R.CREATED] * 20
    # when eight threads each try to post (some partly) or void every hold
    attempts: dict[str, TransferSpec] = {}
    outcomes: dict[str, R] = {}
    lock = threading.Lock()
    rng = random.Random(978)
    queues: list[list[TransferSpec]] = []
    for t in range(THREADS):
        queue = []
        for hold in holds:
            kind = rng.choice(["post", "post-part", "void"])
            rid = f"r-{hold.id}-{t}"
            if kind == "void":
                spec = void(rid, hold.id)
            else:
                spec = post(rid, hold.id, 200 if kind == "post-part" else 0)
            attempts[rid] = spec
            queue.append(spec)
        rng.shuffle(queue)
        queues.append(queue)

    def resolver(queue: list[TransferSpec]) -> Callable[[], None]:
        def job() -> None:
            for spec in queue:
                (result,) = transfers_create(transfers=[spec])
                with lock:
                    outcomes[result.id] = result.status

        return job

    errors = _run_threads([resolver(queue) for queue in queues])

    # then each hold was resolved by exactly one attempt; the others name that resolution
    assert errors == []
    assert len(outcomes) == len(attempts)
    expected_posted = 0
    for hold in holds:
        mine = {rid: code for rid, code in outcomes.items() if attempts[rid].pending_id == hold.id}
        winners = [rid for rid, code in mine.items() if code == R.CREATED]
        assert len(winners) == 1, (hold.id, mine)
        won = attempts[winners[0]]
        if "void_pending_transfer" in won.flags:
            status, loser_code = PendingStatus.VOIDED, R.PENDING_TRANSFER_ALREADY_VOIDED
        else:
            status, loser_code = PendingStatus.POSTED, R.PENDING_TRANSFER_ALREADY_POSTED
            expected_posted += won.amount or 500
        assert PendingTransfer.objects.get(pk=hold.id).status == status
        assert {code for rid, code in mine.items() if rid != winners[0]} == {loser_code}
    resolutions = Transfer.objects.filter(pk__startswith="r-").count()
    assert resolutions == len(holds)
    shop_row = Account.objects.get(pk=shop)
    assert (shop_row.credits_posted, shop_row.credits_pending) == (expected_posted, 0)
    wallet_row = Account.objects.get(pk=wallet)
    assert (wallet_row.debits_posted, wallet_row.debits_pending) == (expected_posted, 0)
    _verify_ok()


@pytest.mark.django_db(transaction=True)
def test_sweep_racing_posts_settles_each_hold_once(make_account: MakeAccount) -> None:
    from okpay.ledger.services import pending_transfers_expire, transfers_create

    # given 40 holds of 1.00 made at T0 with a 60-second timeout
    bank = make_account("bank:USD", code="bank")
    wallet = make_account("wallet:alice", flags=WALLET_LIMIT)
    shop = make_account("merchant:shop", code="merchant")
    assert submit(transfer("fund", bank, wallet, 10_000)) == [R.CREATED]
    holds = [
        transfer(f"p{n:02d}", wallet, shop, 100, flags={"pending"}, timeout_seconds=60)
        for n in range(40)
    ]
    assert submit(*holds, now=T0) == [R.CREATED] * 40
    posts = [post(f"c{n:02d}", hold.id) for n, hold in enumerate(holds)]
    outcomes: dict[str, R] = {}
    swept: list[int] = []
    lock = threading.Lock()

    def poster(share: list[TransferSpec]) -> Callable[[], None]:
        def job() -> None:
            for spec in share:
                # a post sent one second before the timeout ...
                (result,) = transfers_create(transfers=[spec], now=T0 + timedelta(seconds=59))
                with lock:
                    outcomes[result.id] = result.status

        return job

    def sweeper() -> None:
        # ... racing a sweep that runs as if one second after it
        for _ in range(20):
            count = pending_transfers_expire(now=T0 + timedelta(seconds=61))
            with lock:
                swept.append(count)

    # when six threads post while two sweep
    shares = [posts[n::6] for n in range(6)]
    errors = _run_threads([*(poster(share) for share in shares), sweeper, sweeper])

    # then every hold was either posted or expired, never both, and the totals agree
    assert errors == []
    states = dict(PendingTransfer.objects.values_list("transfer_id", "status"))
    posted = 0
    for hold, spec in zip(holds, posts, strict=True):
        if outcomes[spec.id] == R.CREATED:
            assert states[hold.id] == PendingStatus.POSTED, hold.id
            posted += 1
        else:
            assert outcomes[spec.id] == R.PENDING_TRANSFER_EXPIRED, (hold.id, outcomes[spec.id])
            assert states[hold.id] == PendingStatus.EXPIRED, hold.id
    assert sum(swept) == 40 - posted
    assert Transfer.objects.filter(pk__startswith="c").count() == posted
    wallet_row = Account.objects.get(pk=wallet)
    assert (wallet_row.debits_posted, wallet_row.debits_pending) == (100 * posted, 0)
    shop_row = Account.objects.get(pk=shop)
    assert (shop_row.credits_posted, shop_row.credits_pending) == (100 * posted, 0)
    _verify_ok()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_many_threads_spending_one_wallet_never_overdraw_it(make_account: MakeAccount) -> None:
    from okpay.ledger.services import transfers_create

    # given one wallet holding 100.00 and sixteen shops
    bank = make_account("bank:USD", code="bank")
    wallet = make_account("wallet:alice", flags=WALLET_LIMIT)
    shops = [make_account(f"merchant:{n:02d}", code="merchant") for n in range(16)]
    assert submit(transfer("fund", bank, wallet, 10_000)) == [R.CREATED]
    outcomes: dict[str, R] = {}
    amounts: dict[str, int] = {}
    lock = threading.Lock()

    def spender(n: int) -> Callable[[], None]:
        def job() -> None:
            rng = random.Random(n)
            for k in range(30):
                amount = rng.randint(1, 250)
                tid = f"s{n:02d}-{k:02d}"
                if rng.random() < 0.3:
                    # a hold, resolved right away: posted (partly or fully) or voided
                    hold = transfer(f"h-{tid}", wallet, shops[n], amount, flags={"pending"})
                    (held,) = transfers_create(transfers=[hold])
                    if held.status != R.CREATED:
                        with lock:
                            outcomes[hold.id] = held.status
                        continue
                    if rng.random() < 0.5:
                        spec = void(tid, hold.id)
                    else:
                        spec = post(tid, hold.id, rng.randint(1, amount))
                else:
                    spec = transfer(tid, wallet, shops[n], amount)
                (result,) = transfers_create(transfers=[spec])
                with lock:
                    outcomes[spec.id] = result.status
                    amounts[spec.id] = (
                        spec.amount if "void_pending_transfer" not in spec.flags else 0
                    )

        return job

    # when sixteen threads spend from the wallet at once (far more than it holds)
    errors = _run_threads([spender(n) for n in range(16)])

    # then nothing failed, and the wallet paid out exactly what was accepted, within its funds
    assert errors == []
    assert set(outcomes.values()) <= {R.CREATED, R.EXCEEDS_CREDITS}
    assert R.EXCEEDS_CREDITS in outcomes.values(), "the wallet was never under pressure"
    spent = sum(amounts[tid] for tid, code in outcomes.items() if code == R.CREATED)
    row = Account.objects.get(pk=wallet)
    assert (row.debits_posted, row.debits_pending, row.credits_posted) == (spent, 0, 10_000)
    assert row.balance >= 0
    assert sum(a.credits_posted for a in Account.objects.filter(pk__in=shops)) == spent
    _verify_ok()
