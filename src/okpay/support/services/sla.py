"""SLA: due times in business hours, the SLA state of a ticket, and the escalation job.

``business_add`` is a pure function of a start time, a number of business hours and a
``BusinessCalendar``; everything that reads the database or the clock lives around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from okpay.identity.models import Role, User
from okpay.notifications.services import email_to_user
from okpay.support import realtime
from okpay.support.models import (
    ACTIVE_STATUSES,
    PRIORITY_ORDER,
    Holiday,
    SlaBreach,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
)

# While a ticket waits for the customer or is on hold, its SLA timers stand still.
PAUSED_STATUSES = (TicketStatus.PENDING_CUSTOMER, TicketStatus.ON_HOLD)


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: str
    weekdays: frozenset[int]  # 0 = Monday
    open_hour: int
    close_hour: int  # 24 means midnight at the end of the day
    holidays: frozenset[date]

    def is_business_day(self, day: date) -> bool:
        return day.weekday() in self.weekdays and day not in self.holidays


def _day_bounds(day: date, calendar: BusinessCalendar) -> tuple[datetime, datetime]:
    zone = ZoneInfo(calendar.time_zone)
    start = datetime.combine(day, time(calendar.open_hour), tzinfo=zone)
    if calendar.close_hour >= 24:
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    else:
        end = datetime.combine(day, time(calendar.close_hour), tzinfo=zone)
    return start, end


def _check(moment: datetime, calendar: BusinessCalendar) -> None:
    if moment.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    if calendar.close_hour <= calendar.open_hour or not calendar.weekdays:
        raise ValueError("the calendar has no business hours")


def business_add(start: datetime, hours: int | timedelta, calendar: BusinessCalendar) -> datetime:
    """The moment ``hours`` business hours (a number or a ``timedelta``) after ``start``
    (aware), in UTC.

    Time outside business hours, on weekends and on holidays does not count. A start
    outside business hours counts from the next opening.
    """
    _check(start, calendar)
    remaining = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    local = start.astimezone(ZoneInfo(calendar.time_zone))
    day = local.date()
    for _ in range(3660):  # ten years of days: a guard against a calendar without workdays
        if calendar.is_business_day(day):
            opens, closes = _day_bounds(day, calendar)
            begin = max(opens, local)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(ZoneInfo("UTC"))
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("the calendar has no business hours in the next ten years")


def business_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> timedelta:
    """The business time from ``start`` to ``end`` (both aware); zero when ``end`` is not
    later. Nights, weekends and holidays do not count."""
    _check(start, calendar)
    _check(end, calendar)
    if end <= start:
        return timedelta(0)
    zone = ZoneInfo(calendar.time_zone)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    total = timedelta(0)
    day = local_start.date()
    while day <= local_end.date():
        if calendar.is_business_day(day):
            opens, closes = _day_bounds(day, calendar)
            begin, finish = max(opens, local_start), min(closes, local_end)
            if begin < finish:
                total += finish - begin
        day += timedelta(days=1)
    return total


def business_calendar() -> BusinessCalendar:
    """The configured calendar with the holidays from the database."""
    open_hour, close_hour = settings.OKPAY_SLA_BUSINESS_HOURS
    return BusinessCalendar(
        time_zone=settings.OKPAY_SLA_TIME_ZONE,
        weekdays=frozenset(settings.OKPAY_SLA_BUSINESS_DAYS),
        open_hour=int(open_hour),
        close_hour=int(close_hour),
        holidays=frozenset(Holiday.objects.values_list("date", flat=True)),
    )


@dataclass(frozen=True)
class SlaTargets:
    first_response_hours: int
    resolution_hours: int
    policy_name: str


def sla_targets(*, priority: str, category: str) -> SlaTargets:
    """The most specific active policy (priority and category > priority > category > any)."""
    candidates = SlaPolicy.objects.filter(
        Q(priority=priority) | Q(priority=""),
        Q(category=category) | Q(category=""),
        active=True,
    )
    best: SlaPolicy | None = None
    best_score = -1
    for policy in candidates:
        score = (2 if policy.priority else 0) + (1 if policy.category else 0)
        if score > best_score:
            best, best_score = policy, score
    if best is None:
        return SlaTargets(
            first_response_hours=settings.OKPAY_SLA_FIRST_RESPONSE_HOURS,
            resolution_hours=settings.OKPAY_SLA_RESOLUTION_HOURS,
            policy_name="default",
        )
    return SlaTargets(
        first_response_hours=best.first_response_hours,
        resolution_hours=best.resolution_hours,
        policy_name=best.name,
    )


def sla_apply(*, ticket: Ticket, start: datetime) -> None:
    """Set the ticket's due times from its policy, counted from ``start`` (not saved)."""
    targets = sla_targets(priority=ticket.priority, category=ticket.category)
    calendar = business_calendar()
    ticket.first_response_due = business_add(start, targets.first_response_hours, calendar)
    ticket.resolution_due = business_add(start, targets.resolution_hours, calendar)


def sla_pause(*, ticket: Ticket, actor: User | None, now: datetime) -> bool:
    """Stop the clock of a ticket that has just entered a paused status (not saved; the
    caller holds the lock). False when there is no timer to stop."""
    if ticket.sla_paused_at is not None or ticket.resolution_due is None:
        return False
    ticket.sla_paused_at = now
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=TicketEventKind.SLA_PAUSED,
        data={"status": ticket.status},
        created_at=now,
    )
    return True


def sla_resume(*, ticket: Ticket, actor: User | None, now: datetime) -> timedelta | None:
    """Start the clock again: the due times move later by the business time that passed
    while paused (the first-response target only while it is not met). Not saved; the
    caller holds the lock. None when the ticket was not paused."""
    paused_at = ticket.sla_paused_at
    if paused_at is None:
        return None
    calendar = business_calendar()
    paused_for = business_between(paused_at, now, calendar)
    data: dict[str, object] = {
        "paused_at": paused_at.isoformat(),
        "business_seconds": int(paused_for.total_seconds()),
    }
    if paused_for > timedelta(0):
        if ticket.resolution_due is not None:
            ticket.resolution_due = business_add(ticket.resolution_due, paused_for, calendar)
            data["resolution_due"] = ticket.resolution_due.isoformat()
        if ticket.first_responded_at is None and ticket.first_response_due is not None:
            ticket.first_response_due = business_add(
                ticket.first_response_due, paused_for, calendar
            )
            data["first_response_due"] = ticket.first_response_due.isoformat()
    ticket.sla_paused_at = None
    TicketEvent.objects.create(
        ticket=ticket, actor=actor, kind=TicketEventKind.SLA_RESUMED, data=data, created_at=now
    )
    return paused_for


class SlaState(StrEnum):
    OK = "ok"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    NONE = "none"


def sla_is_paused(ticket: Ticket) -> bool:
    return ticket.sla_paused_at is not None and ticket.status in ACTIVE_STATUSES


def sla_current_target(ticket: Ticket) -> tuple[SlaTarget, datetime] | None:
    """The target the team is working against now, with its due time (None when done or
    while the clock is paused)."""
    if ticket.status not in ACTIVE_STATUSES or ticket.merged_into_id is not None:
        return None
    if sla_is_paused(ticket):
        return None
    if ticket.first_responded_at is None and ticket.first_response_due is not None:
        return SlaTarget.FIRST_RESPONSE, ticket.first_response_due
    if ticket.resolution_due is not None:
        return SlaTarget.RESOLUTION, ticket.resolution_due
    return None


def sla_state(ticket: Ticket, *, now: datetime) -> SlaState:
    if ticket.status in (TicketStatus.SOLVED, TicketStatus.CLOSED):
        if ticket.resolution_due and ticket.solved_at and ticket.solved_at <= ticket.resolution_due:
            return SlaState.MET
        return SlaState.BREACHED if ticket.resolution_due else SlaState.NONE
    if sla_is_paused(ticket) and ticket.merged_into_id is None:
        return SlaState.PAUSED
    current = sla_current_target(ticket)
    if current is None:
        return SlaState.NONE
    _target, due = current
    if due <= now:
        return SlaState.BREACHED
    if due - now <= timedelta(hours=settings.OKPAY_SLA_WARN_HOURS):
        return SlaState.AT_RISK
    return SlaState.OK


@dataclass(frozen=True)
class EscalationRun:
    escalated: int
    breaches: int


def _raise_priority(priority: str) -> str:
    index = PRIORITY_ORDER.index(priority)
    return PRIORITY_ORDER[min(index + 1, len(PRIORITY_ORDER) - 1)]


def _escalate(*, ticket: Ticket, target: SlaTarget, due: datetime, now: datetime) -> bool:
    """Raise the priority once per target and tell the supervisors (the lock is held)."""
    flag = (
        "first_response_escalated_at"
        if target == SlaTarget.FIRST_RESPONSE
        else "resolution_escalated_at"
    )
    if getattr(ticket, flag) is not None:
        return False
    old = ticket.priority
    ticket.priority = _raise_priority(old)
    setattr(ticket, flag, now)
    ticket.updated_at = now
    ticket.save(update_fields=["priority", flag, "updated_at"])
    TicketEvent.objects.create(
        ticket=ticket,
        actor=None,
        kind=TicketEventKind.ESCALATED,
        data={
            "target": target.value,
            "due": due.isoformat(),
            "from": old,
            "to": ticket.priority,
        },
        created_at=now,
    )
    for supervisor in User.objects.filter(role=Role.SUPERVISOR, is_active=True):
        email_to_user(
            user=supervisor,
            template="support/tickets/email/sla_escalation",
            context={
                "ticket": ticket,
                "target": target.label,
                "due": due,
                "url": f"{settings.SITE_URL}/support/agent/tickets/{ticket.number}/",
            },
        )
    return True


def _record_breach(*, ticket: Ticket, target: SlaTarget, due: datetime, now: datetime) -> bool:
    if SlaBreach.objects.filter(ticket=ticket, target=target).exists():
        return False
    try:
        with transaction.atomic():
            SlaBreach.objects.create(ticket=ticket, target=target, due_at=due, recorded_at=now)
            TicketEvent.objects.create(
                ticket=ticket,
                kind=TicketEventKind.SLA_BREACHED,
                data={"target": target.value, "due": due.isoformat()},
                created_at=now,
            )
    except IntegrityError:
        return False  # recorded by a run at the same time
    return True


def _check_one(*, ticket_id: int, now: datetime, horizon: datetime) -> tuple[bool, bool]:
    """Escalate one ticket and record its breach if its current target is due; the agents'
    consoles get an ``sla.warning`` push after the commit. (escalated, breach recorded)."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
        current = sla_current_target(ticket)  # None once solved, merged or paused meanwhile
        if current is None or ticket.confirmed_at is None:
            return False, False
        target, due = current
        if due > horizon:
            return False, False
        escalated = _escalate(ticket=ticket, target=target, due=due, now=now)
        breached = due <= now and _record_breach(ticket=ticket, target=target, due=due, now=now)
        if escalated or breached:
            realtime.publish_to_agents(
                "sla.warning",
                ticket=ticket.number,
                target=target.value,
                due=due.isoformat(),
                breached=due <= now,
            )
    return escalated, breached


def sla_escalate_due(*, now: datetime | None = None) -> EscalationRun:
    """Escalate tickets whose current target is due within the warning window and record
    breaches. Paused tickets are skipped. Safe to run any number of times: each ticket is
    escalated once per target and each breach is recorded once."""
    now = now or timezone.now()
    horizon = now + timedelta(hours=settings.OKPAY_SLA_WARN_HOURS)
    escalated = breaches = 0
    due_soon = (
        Ticket.objects.filter(
            status__in=ACTIVE_STATUSES,
            merged_into__isnull=True,
            confirmed_at__isnull=False,
            sla_paused_at__isnull=True,
        )
        .filter(
            Q(first_responded_at__isnull=True, first_response_due__lte=horizon)
            | Q(resolution_due__lte=horizon)
        )
        .values_list("pk", flat=True)
    )
    for ticket_id in list(due_soon):
        did_escalate, did_breach = _check_one(ticket_id=ticket_id, now=now, horizon=horizon)
        escalated += did_escalate
        breaches += did_breach
    # Resolution breached on tickets that were solved late is recorded as well.
    late = Ticket.objects.filter(
        solved_at__isnull=False, resolution_due__isnull=False, solved_at__gt=F("resolution_due")
    ).exclude(sla_breaches__target=SlaTarget.RESOLUTION)
    for ticket in late:
        assert ticket.resolution_due is not None
        if _record_breach(
            ticket=ticket, target=SlaTarget.RESOLUTION, due=ticket.resolution_due, now=now
        ):
            breaches += 1
    return EscalationRun(escalated=escalated, breaches=breaches)
