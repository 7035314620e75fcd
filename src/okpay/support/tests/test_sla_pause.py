"""The SLA pause: waiting for the customer or on hold stops the timers, with a frozen clock
across a weekend; the escalation job skips paused tickets and pushes SLA warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from okpay.support import realtime
from okpay.support.models import SlaBreach, Ticket, TicketEvent
from okpay.support.selectors_tickets import with_sla
from okpay.support.services.sla import (
    BusinessCalendar,
    SlaState,
    business_between,
    sla_escalate_due,
    sla_state,
)
from okpay.support.services.tickets import (
    ticket_create,
    ticket_merge,
    ticket_reply,
    ticket_update,
)
from okpay.support.tests.tickets_fixtures import client_for, people, ticket_settings

__all__ = ["people", "ticket_settings"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE_TO_SIX = BusinessCalendar(
    time_zone="Asia/Shanghai",
    weekdays=frozenset({0, 1, 2, 3, 4}),
    open_hour=9,
    close_hour=18,
    holidays=frozenset({date(2026, 10, 5)}),  # a Monday
)


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def _iso(moment: datetime) -> str:
    """As the database returns it and the services write it: in UTC."""
    return moment.astimezone(UTC).isoformat()


def _kinds(ticket: Ticket, *kinds: str) -> list[str]:
    return list(
        TicketEvent.objects.filter(ticket=ticket, kind__in=kinds).values_list("kind", flat=True)
    )


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        # Within one day.
        (_at(2026, 9, 30, 10), _at(2026, 9, 30, 14), 4),
        # Friday 15:00 to Tuesday 11:00: 3 h Friday, weekend and Monday's holiday skipped, 2 h.
        (_at(2026, 10, 2, 15), _at(2026, 10, 6, 11), 5),
        # Night to night: one whole working day.
        (_at(2026, 9, 29, 20), _at(2026, 9, 30, 20), 9),
        # Saturday to Sunday: nothing.
        (_at(2026, 10, 3, 10), _at(2026, 10, 4, 16), 0),
        # An end before the start: nothing.
        (_at(2026, 9, 30, 14), _at(2026, 9, 30, 10), 0),
    ],
)
def test_business_between_counts_only_business_hours(
    start: datetime, end: datetime, hours: int
) -> None:
    assert business_between(start, end, NINE_TO_SIX) == timedelta(hours=hours)


def test_business_between_refuses_naive_times() -> None:
    with pytest.raises(ValueError):
        business_between(datetime(2026, 10, 1, 9), _at(2026, 10, 1, 10), NINE_TO_SIX)  # noqa: DTZ001


@pytest.mark.django_db
def test_waiting_for_the_customer_over_a_weekend_moves_the_resolution_due(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    # Given a ticket opened on Thursday in a 09:00–18:00 week (48 h to resolve)
    ticket_settings.OKPAY_SLA_BUSINESS_HOURS = (9, 18)
    with time_machine.travel(_at(2026, 10, 1, 10), tick=False):
        ticket = ticket_create(requester=people["owner"], subject="Fees", body="Why 3%?")
    assert ticket.first_response_due == _at(2026, 10, 5, 16)
    assert ticket.resolution_due == _at(2026, 10, 8, 13)

    # When the agent answers on Friday 15:00 and the customer replies on Monday 11:00
    with time_machine.travel(_at(2026, 10, 2, 15), tick=False):
        ticket_reply(ticket=ticket, author=people["agent"], body="Which card?")
    ticket.refresh_from_db()
    paused_status, paused_at = ticket.status, ticket.sla_paused_at
    state_while_paused = sla_state(ticket, now=_at(2026, 10, 9, 12))
    with time_machine.travel(_at(2026, 10, 5, 11), tick=False):
        ticket_reply(ticket=ticket, author=people["owner"], body="The Visa one.")
    ticket.refresh_from_db()

    # Then the 5 business hours paused (3 on Friday, 2 on Monday) move the resolution due
    assert (paused_status, paused_at) == ("pending_customer", _at(2026, 10, 2, 15))
    assert state_while_paused == SlaState.PAUSED
    assert (ticket.status, ticket.sla_paused_at) == ("open", None)
    assert ticket.resolution_due == _at(2026, 10, 8, 18)
    # the first response was given: its target does not move
    assert ticket.first_response_due == _at(2026, 10, 5, 16)
    assert _kinds(ticket, "sla_paused", "sla_resumed") == ["sla_paused", "sla_resumed"]
    resumed = TicketEvent.objects.get(ticket=ticket, kind="sla_resumed")
    assert (resumed.actor, resumed.data["business_seconds"]) == (people["owner"], 5 * 3600)
    assert resumed.data["resolution_due"] == _iso(_at(2026, 10, 8, 18))
    assert sla_state(ticket, now=_at(2026, 10, 8, 15)) == SlaState.AT_RISK


@pytest.mark.django_db
def test_on_hold_before_the_first_answer_pauses_both_targets(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    # Around the clock on working days (the fixture's calendar): Friday 20:00 + 24 h.
    with time_machine.travel(_at(2026, 10, 2, 20), tick=False):
        ticket = ticket_create(requester=people["owner"], subject="Help", body="Please.")
    first_due, resolution_due = ticket.first_response_due, ticket.resolution_due
    assert first_due == _at(2026, 10, 5, 20)

    with time_machine.travel(_at(2026, 10, 2, 22), tick=False):
        ticket_update(ticket=ticket, actor=people["agent"], status="on_hold")
    with time_machine.travel(_at(2026, 10, 5, 3), tick=False):
        ticket_update(ticket=ticket, actor=people["agent"], status="open")
    ticket.refresh_from_db()

    # Friday 22:00–24:00 and Monday 00:00–03:00: 5 business hours.
    assert first_due is not None and resolution_due is not None
    assert ticket.first_response_due == first_due + timedelta(hours=5)
    assert ticket.resolution_due == _at(2026, 10, 7, 1)
    assert ticket.sla_paused_at is None


@pytest.mark.django_db
def test_a_second_pause_status_keeps_the_first_pause(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    with time_machine.travel(_at(2026, 9, 28, 10), tick=False):
        ticket = ticket_create(requester=people["owner"], subject="Help", body="Please.")
    with time_machine.travel(_at(2026, 9, 28, 11), tick=False):
        ticket_reply(ticket=ticket, author=people["agent"], body="Send a screenshot?")
    with time_machine.travel(_at(2026, 9, 28, 12), tick=False):
        ticket_update(ticket=ticket, actor=people["agent"], status="on_hold")
    ticket.refresh_from_db()

    # Moving from one paused status to the other keeps the clock stopped since 11:00.
    assert (ticket.status, ticket.sla_paused_at) == ("on_hold", _at(2026, 9, 28, 11))
    assert _kinds(ticket, "sla_paused", "sla_resumed") == ["sla_paused"]


@pytest.mark.django_db
def test_solving_a_waiting_ticket_resumes_so_the_wait_is_not_a_breach(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    # Given an answered ticket that waited for the customer for a whole week
    with time_machine.travel(_at(2026, 9, 28, 10), tick=False):
        ticket = ticket_create(requester=people["owner"], subject="Help", body="Please.")
    with time_machine.travel(_at(2026, 9, 28, 12), tick=False):
        ticket_reply(ticket=ticket, author=people["agent"], body="Does it work now?")
    assert ticket.resolution_due == _at(2026, 9, 30, 10)

    # When the agent solves it the next Monday
    with time_machine.travel(_at(2026, 10, 5, 12), tick=False):
        ticket_update(ticket=ticket, actor=people["agent"], status="solved")
    ticket.refresh_from_db()
    run = sla_escalate_due(now=_at(2026, 10, 5, 13))

    # Then the week waiting does not count: the target is met and no breach is recorded
    # Wednesday 10:00 + 120 business hours (Monday 12:00 to the next Monday 12:00)
    assert ticket.resolution_due == _at(2026, 10, 7, 10)
    assert ticket.sla_paused_at is None
    assert sla_state(ticket, now=_at(2026, 10, 5, 13)) == SlaState.MET
    assert (run.escalated, run.breaches) == (0, 0)
    assert SlaBreach.objects.count() == 0


@pytest.mark.django_db
def test_escalation_skips_paused_tickets_and_pushes_warnings_after_resuming(
    people: dict[str, Any],
    ticket_settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    pushes: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        realtime, "publish_to_agents", lambda event_type, **data: pushes.append((event_type, data))
    )
    start = _at(2026, 9, 28, 10)  # Monday; first response due Tuesday 10:00
    with time_machine.travel(start, tick=False):
        ticket = ticket_create(requester=people["owner"], subject="Help", body="Please.")
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        ticket_update(ticket=ticket, actor=people["agent"], status="on_hold")

    # While paused, a target long past is neither escalated nor breached.
    with django_capture_on_commit_callbacks(execute=True):
        paused_run = sla_escalate_due(now=start + timedelta(hours=30))
    ticket.refresh_from_db()
    assert (paused_run.escalated, paused_run.breaches) == (0, 0)
    assert (ticket.priority, ticket.first_response_escalated_at) == ("normal", None)
    assert (SlaBreach.objects.count(), pushes) == (0, [])

    # Back to work on Tuesday 16:00: 29 h paused, the first response is due Wednesday 15:00.
    with time_machine.travel(start + timedelta(hours=30), tick=False):
        ticket_update(ticket=ticket, actor=people["agent"], status="open")
    ticket.refresh_from_db()
    assert ticket.first_response_due == _at(2026, 9, 30, 15)
    with django_capture_on_commit_callbacks(execute=True):
        warned = sla_escalate_due(now=_at(2026, 9, 30, 12))
        breached = sla_escalate_due(now=_at(2026, 9, 30, 16))
        again = sla_escalate_due(now=_at(2026, 9, 30, 17))

    due = _iso(_at(2026, 9, 30, 15))
    assert [(r.escalated, r.breaches) for r in (warned, breached, again)] == [
        (1, 0),
        (0, 1),
        (0, 0),
    ]
    assert pushes == [
        (
            "sla.warning",
            {"ticket": ticket.number, "target": "first_response", "due": due, "breached": False},
        ),
        (
            "sla.warning",
            {"ticket": ticket.number, "target": "first_response", "due": due, "breached": True},
        ),
    ]


@pytest.mark.django_db
def test_the_sla_warning_reaches_the_agents_group_after_the_commit(
    people: dict[str, Any], ticket_settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket_settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
    layer = get_channel_layer()
    assert layer is not None
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(realtime.AGENTS_GROUP, channel)
    start = _at(2026, 9, 28, 10)
    with time_machine.travel(start, tick=False):
        ticket = ticket_create(requester=people["owner"], subject="Help", body="Please.")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = sla_escalate_due(now=start + timedelta(hours=25))
    pushed_before_commit = [
        c for c in callbacks if getattr(c, "__qualname__", "").startswith("publish.")
    ]
    for callback in callbacks:
        callback()
    received = async_to_sync(layer.receive)(channel)

    assert (run.escalated, run.breaches) == (1, 1)
    assert len(pushed_before_commit) == 1
    assert received == {
        "type": realtime.LAYER_MESSAGE_TYPE,
        "event": {
            "type": "sla.warning",
            "ticket": ticket.number,
            "target": "first_response",
            "due": _iso(_at(2026, 9, 29, 10)),
            "breached": True,
        },
    }


@pytest.mark.django_db
def test_the_database_computes_the_same_sla_state_as_python(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    start = _at(2026, 9, 28, 10)
    owner, agent = people["owner"], people["agent"]
    with time_machine.travel(start, tick=False):
        fresh = ticket_create(requester=owner, subject="fresh", body="?")
        answered = ticket_create(requester=owner, subject="answered", body="?")
        ticket_reply(ticket=answered, author=agent, body="On it.", status="open")
        paused = ticket_create(requester=owner, subject="paused", body="?")
        ticket_update(ticket=paused, actor=agent, status="on_hold")
        solved = ticket_create(requester=owner, subject="solved", body="?")
        ticket_update(ticket=solved, actor=agent, status="solved")
        duplicate = ticket_create(requester=owner, subject="duplicate", body="?")
        ticket_merge(source=duplicate, target=fresh, actor=agent)
        guest = ticket_create(
            requester=None, email="g@example.net", subject="guest", body="?", confirmed=False
        )
    with time_machine.travel(start + timedelta(days=3), tick=False):
        late = ticket_create(requester=owner, subject="solved late", body="?")
    with time_machine.travel(start + timedelta(days=9), tick=False):
        ticket_update(ticket=late, actor=agent, status="solved")
    tickets = [fresh, answered, paused, solved, duplicate, guest, late]
    seen: set[str] = set()

    for now in (
        start + timedelta(hours=1),
        start + timedelta(hours=21),
        start + timedelta(hours=25),
        start + timedelta(hours=47),
        start + timedelta(days=9),
    ):
        in_python = {t.pk: sla_state(Ticket.objects.get(pk=t.pk), now=now).value for t in tickets}
        in_database = dict(
            with_sla(Ticket.objects.filter(pk__in=[t.pk for t in tickets]), now=now).values_list(
                "pk", "sla"
            )
        )
        assert in_database == in_python
        seen |= set(in_python.values())
    assert seen == {"ok", "at_risk", "breached", "paused", "met", "none"}


@pytest.mark.django_db
def test_the_agent_page_and_the_api_show_the_pause(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    with time_machine.travel(_at(2026, 9, 28, 10), tick=False):
        ticket = ticket_create(requester=people["owner"], subject="Help", body="Please.")
        ticket_reply(ticket=ticket, author=people["agent"], body="Which bank?")
    agent = client_for(people["agent"])

    page = agent.get(f"/support/agent/tickets/{ticket.number}/").content.decode()
    api = agent.get(f"/api/v1/tickets/{ticket.number}").json()
    customer_api = client_for(people["owner"]).get(f"/api/v1/tickets/{ticket.number}").json()

    assert 'class="sla-badge state-badge state-paused"' in page
    assert "The SLA timers are paused since 2026-09-28 10:00" in page
    assert (api["sla_state"], api["sla_paused_at"]) == ("paused", "2026-09-28T02:00:00Z")
    assert (customer_api["sla_state"], customer_api["sla_paused_at"]) == (None, None)
