"""Callback reads with their access rules, the agents' queue and the phone line's hours.

Customers reach only their own requests (anything else is "not found", so numbers cannot
be probed); agents, supervisors and operators reach every request. The phone number is
shown in full to its customer and to the agent who claimed the call, masked to everyone
else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Q
from django.utils import timezone

from okpay.identity.models import User
from okpay.identity.services import is_support_staff
from okpay.identity.services.support_code import mask_phone
from okpay.support.errors_callbacks import CallbackNotFound
from okpay.support.hours import parse_hours
from okpay.support.models import (
    ACTIVE_STATUSES,
    OPEN_CALLBACK_STATUSES,
    CallbackRequest,
    CallbackStatus,
    CallbackUrgency,
    ChannelKind,
    OfficialChannel,
    Ticket,
)
from okpay.support.selectors_tickets import TransactionLine, transaction_line
from okpay.wallets.models import Transaction

DEFAULT_TIME_ZONE = "Asia/Shanghai"


def zone_of(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or Asia/Shanghai when it is empty or unknown."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


# --- the phone line's opening hours ---------------------------------------------------------


@dataclass(frozen=True)
class LineHours:
    """When the phone line takes calls: weekdays (0 = Monday), minutes after midnight."""

    days: frozenset[int]
    opens: int
    closes: int
    time_zone: str
    channel: OfficialChannel

    def covers(self, start: datetime, end: datetime) -> tuple[bool, bool]:
        """(start is in opening hours, end is) for the window ``start``–``end``; the window
        must lie within one opening period of one day."""
        zone = zone_of(self.time_zone)
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        open_day = local_start.weekday() in self.days
        start_minutes = _minutes(local_start.time())
        midnight = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
        end_minutes = (
            local_end.replace(tzinfo=None) - midnight.replace(tzinfo=None)
        ).total_seconds() / 60
        start_ok = open_day and self.opens <= start_minutes < self.closes
        end_ok = open_day and self.opens < end_minutes <= self.closes
        return start_ok, end_ok

    def text(self, language: str) -> str:
        hours = self.channel.hours(language)
        return f"{hours} ({self.time_zone})" if self.time_zone else hours


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def single_period(text: str) -> tuple[frozenset[int], int, int] | None:
    """Hours such as ``Every day 08:00–22:00`` or ``Mon–Fri 09:00–17:30`` as (days, opens,
    closes) in minutes; None unless ``text`` is one period within a day (a window is
    checked against one period; other hours are shown, not enforced)."""
    rules = parse_hours(text or "")
    if not rules or len(rules) != 1 or rules[0].closes <= rules[0].opens:
        return None
    rule = rules[0]
    return rule.weekdays, rule.opens, rule.closes


def callback_line_hours() -> LineHours | None:
    """The opening hours of the official callback line (else the first phone line whose
    hours can be read), from the official channels; None when none can be read."""
    channels = OfficialChannel.objects.filter(
        active=True, kind__in=[ChannelKind.CALLBACK, ChannelKind.PHONE]
    ).order_by("order", "pk")
    ordered = sorted(channels, key=lambda ch: ch.kind != ChannelKind.CALLBACK)
    for channel in ordered:
        parsed = single_period(channel.hours_en)
        if parsed is not None:
            days, opens, closes = parsed
            return LineHours(
                days=days,
                opens=opens,
                closes=closes,
                time_zone=channel.time_zone or DEFAULT_TIME_ZONE,
                channel=channel,
            )
    return None


def official_phone_numbers() -> list[str]:
    """The numbers our agents call from (the official phone channels)."""
    return list(
        OfficialChannel.objects.filter(active=True, kind=ChannelKind.PHONE)
        .order_by("order", "pk")
        .values_list("value", flat=True)
    )


# --- customers ------------------------------------------------------------------------------


def callback_list_for_customer(*, user: User) -> list[CallbackRequest]:
    """The customer's requests, newest first."""
    return list(
        CallbackRequest.objects.filter(requester=user)
        .select_related("transaction", "ticket", "agent")
        .order_by("-created_at", "-id")
    )


def callback_open_for_customer(*, user: User) -> CallbackRequest | None:
    """The customer's open request (there is at most one)."""
    return (
        CallbackRequest.objects.filter(requester=user, status__in=OPEN_CALLBACK_STATUSES)
        .order_by("-created_at", "-id")
        .first()
    )


def callback_for_customer(*, user: User | None, number: str) -> CallbackRequest:
    """The request ``number`` if ``user`` made it; ``callback_not_found`` otherwise."""
    callback = None
    if user is not None and user.is_authenticated:
        callback = (
            CallbackRequest.objects.filter(number=number, requester=user)
            .select_related("transaction", "ticket", "agent")
            .first()
        )
    if callback is None:
        raise CallbackNotFound(field="number")
    return callback


# --- staff ----------------------------------------------------------------------------------


def callback_for_staff(*, user: User | None, number: str) -> CallbackRequest:
    """Any request, for support staff; ``callback_not_found`` for everyone else."""
    if not is_support_staff(user):
        raise CallbackNotFound(field="number")
    callback = (
        CallbackRequest.objects.filter(number=number)
        .select_related("requester", "transaction", "ticket", "agent")
        .first()
    )
    if callback is None:
        raise CallbackNotFound(field="number")
    return callback


def callback_queue(
    *, include_claimed: bool = True, where: Q | None = None, limit: int = 200
) -> list[CallbackRequest]:
    """The open requests in the order agents work them: urgent first, then large amounts,
    then by the start of the preferred window, then by the time of the request.

    ``include_claimed`` keeps the requests an agent is calling now (status in_progress);
    without it only the ones waiting for an agent are returned. ``where`` narrows further
    (e.g. to one agent's calls).
    """
    statuses = OPEN_CALLBACK_STATUSES if include_claimed else (CallbackStatus.REQUESTED,)
    return list(
        CallbackRequest.objects.filter(where or Q(), status__in=statuses)
        .select_related("requester", "agent", "transaction")
        .order_by("-urgency", "window_start", "created_at", "id")[:limit]
    )


class WindowState(StrEnum):
    UPCOMING = "upcoming"  # the window has not started
    DUE = "due"  # call now: the window is running
    OVERDUE = "overdue"  # the window has passed without a completed call
    CLOSED = "closed"  # completed or cancelled


def window_state(callback: CallbackRequest, *, now: datetime | None = None) -> WindowState:
    if not callback.is_open:
        return WindowState.CLOSED
    now = now or timezone.now()
    if now < callback.window_start:
        return WindowState.UPCOMING
    if now <= callback.window_end:
        return WindowState.DUE
    return WindowState.OVERDUE


@dataclass(frozen=True)
class CallbackCounts:
    """Open requests at a glance: ``waiting`` for an agent, ``in_progress`` (claimed),
    and among the open ones ``urgent``, ``large_amount``, ``due`` (window running now)
    and ``overdue`` (window passed)."""

    waiting: int
    in_progress: int
    urgent: int
    large_amount: int
    due: int
    overdue: int

    @property
    def open(self) -> int:
        return self.waiting + self.in_progress


def callback_counts(*, now: datetime | None = None) -> CallbackCounts:
    """Counts of the open requests, in one query."""
    now = now or timezone.now()
    row = CallbackRequest.objects.filter(status__in=OPEN_CALLBACK_STATUSES).aggregate(
        waiting=Count("id", filter=Q(status=CallbackStatus.REQUESTED)),
        in_progress=Count("id", filter=Q(status=CallbackStatus.IN_PROGRESS)),
        urgent=Count("id", filter=Q(urgency=CallbackUrgency.URGENT)),
        large_amount=Count("id", filter=Q(urgency=CallbackUrgency.LARGE_AMOUNT)),
        due=Count("id", filter=Q(window_start__lte=now, window_end__gte=now)),
        overdue=Count("id", filter=Q(window_end__lt=now)),
    )
    return CallbackCounts(**{key: int(value or 0) for key, value in row.items()})


def phone_for_viewer(callback: CallbackRequest, viewer: User | None) -> str:
    """The number in full for its customer and for the agent who claimed the call."""
    if viewer is not None and (
        viewer.pk == callback.requester_id
        or (callback.status == CallbackStatus.IN_PROGRESS and viewer.pk == callback.agent_id)
    ):
        return callback.phone
    return mask_phone(callback.phone)


@dataclass(frozen=True)
class CallbackContext:
    """What an agent sees beside a request; account numbers and other numbers masked."""

    customer: User
    linked: list[TransactionLine]
    recent: list[TransactionLine]
    open_tickets: list[Ticket]
    earlier_callbacks: list[CallbackRequest]


def callback_context(*, callback: CallbackRequest) -> CallbackContext:
    customer = callback.requester
    linked = [transaction_line(callback.transaction)] if callback.transaction is not None else []
    recent = [
        transaction_line(t)
        for t in Transaction.objects.filter(user=customer).order_by("-created_at", "-id")[:10]
    ]
    tickets = Ticket.objects.filter(
        requester=customer, status__in=ACTIVE_STATUSES, merged_into__isnull=True
    ).order_by("-updated_at", "-id")
    earlier = (
        CallbackRequest.objects.filter(requester=customer)
        .exclude(pk=callback.pk)
        .order_by("-created_at", "-id")
    )
    return CallbackContext(
        customer=customer,
        linked=linked,
        recent=recent,
        open_tickets=list(tickets[:20]),
        earlier_callbacks=list(earlier[:10]),
    )
