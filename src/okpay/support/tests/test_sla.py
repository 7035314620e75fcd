"""SLA: business-hour due times across a weekend and a holiday, and the escalation job."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from okpay.support.models import Holiday, SlaBreach, SlaPolicy, TicketEvent
from okpay.support.services.sla import (
    BusinessCalendar,
    SlaState,
    business_add,
    sla_escalate_due,
    sla_state,
)
from okpay.support.services.tickets import ticket_create, ticket_reply
from okpay.support.tests.tickets_fixtures import people, ticket_settings

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


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Wednesday 10:00 + 4 h stays in the day.
        (_at(2026, 9, 30, 10), 4, _at(2026, 9, 30, 14)),
        # Friday 16:00 + 4 h: 2 h on Friday, the weekend and the Monday holiday skipped.
        (_at(2026, 10, 2, 16), 4, _at(2026, 10, 6, 11)),
        # Saturday counts from Tuesday 09:00 (Monday is a holiday): 24 h = 2 days + 6 h.
        (_at(2026, 10, 3, 12), 24, _at(2026, 10, 8, 15)),
        # Before opening counts from opening; ending exactly at closing stays that day.
        (_at(2026, 9, 30, 7), 9, _at(2026, 9, 30, 18)),
    ],
)
def test_business_add_skips_nights_weekends_and_holidays(
    start: datetime, hours: int, due: datetime
) -> None:
    assert business_add(start, hours, NINE_TO_SIX) == due


def test_business_add_around_the_clock_counts_working_days() -> None:
    calendar = BusinessCalendar(
        time_zone="Asia/Shanghai",
        weekdays=frozenset({0, 1, 2, 3, 4}),
        open_hour=0,
        close_hour=24,
        holidays=frozenset({date(2026, 10, 5)}),
    )
    # Friday 20:00 + 24 h: 4 h on Friday, then Tuesday 20:00.
    assert business_add(_at(2026, 10, 2, 20), 24, calendar) == _at(2026, 10, 6, 20)


def test_business_add_refuses_naive_times_and_empty_calendars() -> None:
    with pytest.raises(ValueError):
        business_add(datetime(2026, 10, 1, 9), 1, NINE_TO_SIX)  # noqa: DTZ001
    empty = BusinessCalendar("Asia/Shanghai", frozenset(), 9, 18, frozenset())
    with pytest.raises(ValueError):
        business_add(_at(2026, 10, 1, 9), 1, empty)


@pytest.mark.django_db
def test_ticket_due_times_use_policy_and_holidays_with_a_frozen_clock(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    ticket_settings.OKPAY_SLA_BUSINESS_HOURS = (9, 18)
    Holiday.objects.create(date=date(2026, 10, 5), name="National Day")
    SlaPolicy.objects.create(
        name="Security", category="security", first_response_hours=4, resolution_hours=18
    )
    with time_machine.travel(_at(2026, 10, 2, 16), tick=False):
        fees = ticket_create(requester=people["owner"], subject="Fees", body="?", category="fees")
        urgent = ticket_create(
            requester=people["owner"], subject="Hacked", body="!", category="security"
        )
    assert fees.first_response_due == _at(2026, 10, 8, 13)  # default 24 business hours
    assert fees.resolution_due == _at(2026, 10, 13, 10)  # 48 business hours
    assert urgent.first_response_due == _at(2026, 10, 6, 11)
    assert urgent.resolution_due == _at(2026, 10, 7, 16)


@pytest.mark.django_db
def test_escalation_raises_priority_notifies_supervisors_records_breach_once(
    people: dict[str, Any], ticket_settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket_settings.OKPAY_SLA_WARN_HOURS = 4
    start = _at(2026, 9, 28, 10)  # Monday
    with time_machine.travel(start, tick=False):
        ticket = ticket_create(requester=people["owner"], subject="Help", body="Please.")
    assert ticket.first_response_due == _at(2026, 9, 29, 10)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        early = sla_escalate_due(now=start + timedelta(hours=12))
        warned = sla_escalate_due(now=start + timedelta(hours=21))
        again = sla_escalate_due(now=start + timedelta(hours=22))
        late = sla_escalate_due(now=start + timedelta(hours=25))
        late_again = sla_escalate_due(now=start + timedelta(hours=26))

    ticket.refresh_from_db()
    assert (early.escalated, early.breaches) == (0, 0)
    assert (warned.escalated, warned.breaches) == (1, 0)
    assert (again.escalated, again.breaches) == (0, 0)
    assert (late.escalated, late.breaches) == (0, 1)
    assert (late_again.escalated, late_again.breaches) == (0, 0)
    assert ticket.priority == "high"
    assert [m.to for m in mail.outbox] == [["lead@okpay.example"]]
    assert ticket.number in mail.outbox[0].subject
    breach = SlaBreach.objects.get()
    assert (breach.ticket_id, breach.target, breach.due_at) == (
        ticket.pk,
        "first_response",
        ticket.first_response_due,
    )
    assert list(
        TicketEvent.objects.filter(
            ticket=ticket, kind__in=["escalated", "sla_breached"]
        ).values_list("kind", flat=True)
    ) == ["escalated", "sla_breached"]
    assert sla_state(ticket, now=start + timedelta(hours=26)) == SlaState.BREACHED


@pytest.mark.django_db
def test_answered_ticket_moves_to_the_resolution_target(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    start = _at(2026, 9, 28, 10)
    with time_machine.travel(start, tick=False):
        ticket = ticket_create(requester=people["owner"], subject="Help", body="Please.")
        ticket_reply(ticket=ticket, author=people["agent"], body="Looking.", status="open")
    ticket.refresh_from_db()

    assert sla_state(ticket, now=start + timedelta(hours=30)) == SlaState.OK
    assert sla_state(ticket, now=start + timedelta(hours=45)) == SlaState.AT_RISK
    run = sla_escalate_due(now=start + timedelta(hours=49))
    assert (run.escalated, run.breaches) == (1, 1)
    assert SlaBreach.objects.get().target == "resolution"
