"""Pending transfers with a timeout: refused after it, released by the sweep."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from okpay.ledger.models import PendingStatus, PendingTransfer, Transfer
from okpay.ledger.tests.fixtures import (
    T0,
    Totals,
    ledger_snapshot,
    post,
    submit,
    totals,
    transfer,
    void,
)
from okpay.ledger.types import CreateTransferResult as R

pytestmark = pytest.mark.django_db


# --- expiry --------------------------------------------------------------------------------


@pytest.fixture
def timed_hold(funded_wallet: str, merchant: str) -> str:
    """``p1``: 30.00 held at T0 for 60 seconds."""
    spec = transfer("p1", funded_wallet, merchant, 3_000, flags={"pending"}, timeout_seconds=60)
    assert submit(spec, now=T0) == [R.CREATED]
    return "p1"


def test_post_before_the_timeout_succeeds(timed_hold: str, merchant: str) -> None:
    results = submit(post("c1", timed_hold), now=T0 + timedelta(seconds=59))

    assert results == [R.CREATED]
    assert totals(merchant) == Totals(credits_posted=3_000)
    assert _status(timed_hold) == PendingStatus.POSTED


def test_post_or_void_after_the_timeout_is_refused_before_any_sweep(timed_hold: str) -> None:
    # given the 60 seconds are over and no sweep has run
    later = T0 + timedelta(seconds=61)
    transfer_ids = set(Transfer.objects.values_list("id", flat=True))
    # when
    results = submit(post("c1", timed_hold), void("v1", timed_hold), now=later)
    # then
    assert results == [R.PENDING_TRANSFER_EXPIRED, R.PENDING_TRANSFER_EXPIRED]
    assert set(Transfer.objects.values_list("id", flat=True)) == transfer_ids
    assert _status(timed_hold) in (PendingStatus.PENDING, PendingStatus.EXPIRED)


def test_sweep_releases_expired_holds(timed_hold: str, funded_wallet: str, merchant: str) -> None:
    # when the sweep runs after the timeout
    expired = _expire(now=T0 + timedelta(seconds=61))
    # then
    assert expired == 1
    assert totals(funded_wallet) == Totals(credits_posted=10_000)
    assert totals(merchant) == Totals()
    state = PendingTransfer.objects.get(pk=timed_hold)
    assert state.status == PendingStatus.EXPIRED
    assert state.resolved_at is not None


def test_sweep_is_idempotent(timed_hold: str, funded_wallet: str) -> None:
    assert _expire(now=T0 + timedelta(seconds=61)) == 1
    before = ledger_snapshot()

    again = _expire(now=T0 + timedelta(seconds=3_600))

    assert again == 0
    assert ledger_snapshot() == before


def test_sweep_before_the_timeout_changes_nothing(timed_hold: str) -> None:
    before = ledger_snapshot()

    assert _expire(now=T0 + timedelta(seconds=59)) == 0
    assert ledger_snapshot() == before


def test_sweep_leaves_holds_without_timeout_alone(funded_wallet: str, merchant: str) -> None:
    # given a hold without timeout
    spec = transfer("p1", funded_wallet, merchant, 3_000, flags={"pending"})
    assert submit(spec, now=T0) == [R.CREATED]
    before = ledger_snapshot()
    # when the sweep runs ten years later
    expired = _expire(now=T0 + timedelta(days=3_650))
    # then
    assert expired == 0
    assert ledger_snapshot() == before
    assert _status("p1") == PendingStatus.PENDING


def test_sweep_expires_only_the_holds_that_are_due(funded_wallet: str, merchant: str) -> None:
    # given a 60-second hold and a 600-second hold
    assert submit(
        transfer("p1", funded_wallet, merchant, 1_000, flags={"pending"}, timeout_seconds=60),
        transfer("p2", funded_wallet, merchant, 2_000, flags={"pending"}, timeout_seconds=600),
        now=T0,
    ) == [R.CREATED, R.CREATED]
    # when the sweep runs after 2 minutes
    expired = _expire(now=T0 + timedelta(seconds=120))
    # then only p1 is released
    assert expired == 1
    assert (_status("p1"), _status("p2")) == (PendingStatus.EXPIRED, PendingStatus.PENDING)
    assert totals(funded_wallet) == Totals(debits_pending=2_000, credits_posted=10_000)
    assert totals(merchant) == Totals(credits_pending=2_000)


def test_sweep_leaves_posted_and_voided_holds_alone(funded_wallet: str, merchant: str) -> None:
    assert (
        submit(
            transfer("p1", funded_wallet, merchant, 1_000, flags={"pending"}, timeout_seconds=60),
            transfer("p2", funded_wallet, merchant, 2_000, flags={"pending"}, timeout_seconds=60),
            post("c1", "p1"),
            void("v2", "p2"),
            now=T0,
        )
        == [R.CREATED] * 4
    )
    before = ledger_snapshot()

    assert _expire(now=T0 + timedelta(seconds=120)) == 0
    assert ledger_snapshot() == before
    assert totals(merchant) == Totals(credits_posted=1_000)


def test_post_after_the_sweep_is_refused_as_expired(timed_hold: str, merchant: str) -> None:
    assert _expire(now=T0 + timedelta(seconds=61)) == 1
    before = ledger_snapshot()

    results = submit(post("c1", timed_hold), void("v1", timed_hold), now=T0 + timedelta(seconds=62))

    assert results == [R.PENDING_TRANSFER_EXPIRED, R.PENDING_TRANSFER_EXPIRED]
    assert ledger_snapshot() == before
    assert totals(merchant) == Totals()


def test_retry_of_an_expired_pending_transfer_returns_exists(
    timed_hold: str, funded_wallet: str, merchant: str
) -> None:
    assert _expire(now=T0 + timedelta(seconds=61)) == 1
    before = ledger_snapshot()
    spec = transfer(
        timed_hold, funded_wallet, merchant, 3_000, flags={"pending"}, timeout_seconds=60
    )

    results = submit(spec, now=T0 + timedelta(seconds=62))

    assert results == [R.EXISTS]
    assert ledger_snapshot() == before


def test_at_the_exact_timeout_the_hold_is_expired(timed_hold: str, merchant: str) -> None:
    # given the clock reads exactly T0 + 60 seconds
    at = T0 + timedelta(seconds=60)
    # when a post is tried, then the sweep runs
    results = submit(post("c1", timed_hold), now=at)
    expired = _expire(now=at)
    # then both see the hold as expired
    assert results == [R.PENDING_TRANSFER_EXPIRED]
    assert expired == 1
    assert totals(merchant) == Totals()


def test_sweep_without_a_clock_uses_the_current_time(funded_wallet: str, merchant: str) -> None:
    # given a 60-second hold made two minutes ago and one made just now
    two_minutes_ago = timezone.now() - timedelta(minutes=2)
    old = transfer("p-old", funded_wallet, merchant, 1_000, flags={"pending"}, timeout_seconds=60)
    new = transfer("p-new", funded_wallet, merchant, 2_000, flags={"pending"}, timeout_seconds=60)
    assert submit(old, now=two_minutes_ago) == [R.CREATED]
    assert submit(new) == [R.CREATED]
    # when
    from okpay.ledger.services import pending_transfers_expire

    expired = pending_transfers_expire()
    # then
    assert expired == 1
    assert (_status("p-old"), _status("p-new")) == (PendingStatus.EXPIRED, PendingStatus.PENDING)
    assert totals(merchant) == Totals(credits_pending=2_000)


def test_expired_funds_can_be_spent_again(funded_wallet: str, merchant: str) -> None:
    # given alice's whole balance was held for 60 seconds and the hold expired
    spec = transfer("p1", funded_wallet, merchant, 10_000, flags={"pending"}, timeout_seconds=60)
    assert submit(spec, now=T0) == [R.CREATED]
    assert _expire(now=T0 + timedelta(seconds=61)) == 1
    # when she pays the same amount
    results = submit(
        transfer("t1", funded_wallet, merchant, 10_000), now=T0 + timedelta(seconds=62)
    )
    # then
    assert results == [R.CREATED]
    assert totals(funded_wallet) == Totals(debits_posted=10_000, credits_posted=10_000)


def test_many_expired_holds_are_all_released(funded_wallet: str, merchant: str) -> None:
    # given 30 holds of 1.00 with a 10-second timeout
    specs = [
        transfer(f"p{i}", funded_wallet, merchant, 100, flags={"pending"}, timeout_seconds=10)
        for i in range(30)
    ]
    assert submit(*specs, now=T0) == [R.CREATED] * 30
    # when
    expired = _expire(now=T0 + timedelta(seconds=11))
    # then
    assert expired == 30
    assert totals(funded_wallet) == Totals(credits_posted=10_000)
    assert set(PendingTransfer.objects.values_list("status", flat=True)) == {PendingStatus.EXPIRED}


def _status(pending_id: str) -> str:
    return PendingTransfer.objects.get(pk=pending_id).status


def _expire(*, now: datetime) -> int:
    from okpay.ledger.services import pending_transfers_expire

    return pending_transfers_expire(now=now)
