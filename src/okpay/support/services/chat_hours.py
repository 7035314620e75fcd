"""When live chat is open, and whether anyone is there to answer.

Opening hours, decided in this order:

1. The active web-chat official channel (``OfficialChannel`` of kind ``web_chat``, edited by
   operators in the back office), when its English hours are machine-readable: one or more
   ``<days> <HH:MM>–<HH:MM>`` parts separated by ``;`` in the channel's time zone, where
   ``<days>`` is ``Every day``/``Daily`` or days and day ranges such as ``Mon–Fri`` or
   ``Mon, Wed, Sat``; ``24/7`` means always. A closing time at or before the opening time
   runs past midnight (``22:00–02:00``). The shipped channel says
   ``Every day 08:00–22:00`` (Asia/Shanghai), so what customers read on the contact page is
   what the chat does.
2. Otherwise (no active channel, no time zone, or free text) the support team's business
   calendar of the SLA (``OKPAY_SLA_BUSINESS_DAYS``/``HOURS``/``TIME_ZONE`` and the
   ``Holiday`` table).

An open chat also needs an agent online (``okpay.support.presence``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from okpay.support.hours import HoursRule, parse_hours
from okpay.support.models import ChannelKind, OfficialChannel
from okpay.support.presence import agents_online
from okpay.support.services.sla import business_calendar


@dataclass(frozen=True)
class ChatHours:
    time_zone: str
    rules: tuple[HoursRule, ...]
    holidays: frozenset[date] = frozenset()
    source: str = "channel"  # "channel" or "sla"

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(ZoneInfo(self.time_zone))
        today = local.date()
        yesterday = today - timedelta(days=1)
        minute = local.hour * 60 + local.minute
        for rule in self.rules:
            if rule.closes > rule.opens:
                if self._works(today, rule) and rule.opens <= minute < rule.closes:
                    return True
            else:
                if self._works(today, rule) and minute >= rule.opens:
                    return True
                if self._works(yesterday, rule) and minute < rule.closes:
                    return True
        return False

    def _works(self, day: date, rule: HoursRule) -> bool:
        return day.weekday() in rule.weekdays and day not in self.holidays


def web_chat_channel() -> OfficialChannel | None:
    return (
        OfficialChannel.objects.filter(kind=ChannelKind.WEB_CHAT, active=True)
        .order_by("order", "pk")
        .first()
    )


def chat_hours() -> ChatHours:
    """The opening hours of live chat (the web-chat channel's, else the SLA calendar)."""
    channel = web_chat_channel()
    if channel is not None and channel.time_zone:
        rules = parse_hours(channel.hours_en)
        try:
            ZoneInfo(channel.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            rules = None
        if rules:
            return ChatHours(time_zone=channel.time_zone, rules=rules, source="channel")
    calendar = business_calendar()
    rule = HoursRule(
        weekdays=calendar.weekdays,
        opens=calendar.open_hour * 60,
        closes=min(calendar.close_hour, 24) * 60,
    )
    return ChatHours(
        time_zone=calendar.time_zone, rules=(rule,), holidays=calendar.holidays, source="sla"
    )


def chat_hours_text(language: str) -> str:
    """The opening hours as customers read them on the contact page ("" when unknown)."""
    channel = web_chat_channel()
    return channel.hours(language) if channel is not None else ""


class Unavailable(StrEnum):
    CLOSED = "closed"
    NO_AGENTS = "no_agents"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class ChatAvailability:
    open: bool
    reason: Unavailable | None
    hours: str  # the published opening hours in the asked language, "" when unknown


def chat_availability(*, now: datetime, language: str = "zh-hans") -> ChatAvailability:
    """Whether a chat started now can reach an agent: within opening hours, agent online."""
    hours = chat_hours_text(language)
    if not chat_hours().is_open(now):
        return ChatAvailability(open=False, reason=Unavailable.CLOSED, hours=hours)
    if not agents_online(now=now.timestamp()):
        return ChatAvailability(open=False, reason=Unavailable.NO_AGENTS, hours=hours)
    return ChatAvailability(open=True, reason=None, hours=hours)
