"""Claiming on PostgreSQL with real threads: of two agents claiming at once, one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from okpay.identity.models import AuditEvent, Role
from okpay.identity.tests.fixtures import make_user
from okpay.support.errors_callbacks import CallbackAlreadyClaimed
from okpay.support.models import CallbackRequest
from okpay.support.services.callbacks import callback_claim
from okpay.support.tests.callbacks_fixtures import ask


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_agents_claiming_at_once_exactly_one_wins() -> None:
    customer = make_user("race@example.com")
    agents = [make_user(f"agent{i}@okpay.example", role=Role.AGENT) for i in range(2)]
    callback = ask(customer)
    barrier = threading.Barrier(len(agents))
    results: list[object] = [None] * len(agents)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = callback_claim(
                callback=CallbackRequest.objects.get(pk=callback.pk), agent=agents[index]
            )
        except CallbackAlreadyClaimed as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(agents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    winners = [r for r in results if isinstance(r, CallbackRequest)]
    assert len(winners) == 1
    assert sum(isinstance(r, CallbackAlreadyClaimed) for r in results) == 1
    callback.refresh_from_db()
    assert (callback.status, callback.agent_id) == ("in_progress", winners[0].agent_id)
    assert AuditEvent.objects.filter(action="support.callback_claim").count() == 1
