"""Counters under real concurrency (PostgreSQL): no lost updates, exactly one lock."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from okpay.identity.errors import RateLimited
from okpay.identity.models import SecurityEvent, User
from okpay.identity.services.ratelimit import rate_limit_hit
from okpay.identity.tests.fixtures import browser, make_user, sign_in
from okpay.notifications.models import OutboundEmail

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _together(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_rate_limit_admits_exactly_its_limit() -> None:
    def hit(_: int) -> str:
        try:
            rate_limit_hit(scope="race", key="one-ip", limit=20, window_seconds=3600)
        except RateLimited:
            return "refused"
        return "ok"

    results = _together(30, hit)

    assert results.count("ok") == 20
    assert results.count("refused") == 10


def test_simultaneous_wrong_passwords_lock_the_account_once(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    user = make_user()

    def fail(index: int) -> int:
        return sign_in(browser(ip=f"198.51.100.{index}"), password="Wrong-password-123").status_code

    statuses = _together(8, fail)

    user = User.objects.get(pk=user.pk)
    assert statuses == [200] * 8
    assert user.locked_until is not None
    assert 5 <= user.failed_login_count <= 8
    assert SecurityEvent.objects.filter(user=user, kind="login_failed").count() == 8
    assert SecurityEvent.objects.filter(user=user, kind="account_locked").count() == 1
    assert OutboundEmail.objects.filter(user=user, template="identity/email/lockout").count() == 1
