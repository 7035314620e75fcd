"""Live-chat opening hours: the web-chat channel's hours when readable, else the SLA calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from okpay.support.hours import HoursRule, parse_hours
from okpay.support.models import ChannelKind, Holiday, OfficialChannel
from okpay.support.services.chat_hours import (
    ChatHours,
    chat_availability,
    chat_hours,
)
from okpay.support.tests.chat_fixtures import agent_online, chat_settings, web_chat_hours
from okpay.support.tests.tickets_fixtures import people, ticket_settings

__all__ = ["chat_settings", "people", "ticket_settings"]

EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("Every day 08:00–22:00", (HoursRule(EVERY_DAY, 480, 1320),)),
        ("Daily 8:30-17:45", (HoursRule(EVERY_DAY, 510, 1065),)),
        ("Mon–Fri 09:00–17:30", (HoursRule(WEEKDAYS, 540, 1050),)),
        ("Mon - Fri 09:00 to 18:00", (HoursRule(WEEKDAYS, 540, 1080),)),
        ("Sat, Sun 10:00–16:00", (HoursRule(frozenset({5, 6}), 600, 960),)),
        ("Fri–Mon 20:00–02:00", (HoursRule(frozenset({4, 5, 6, 0}), 1200, 120),)),
        (
            "Mon–Fri 09:00–18:00; Saturday 10:00–14:00",
            (HoursRule(WEEKDAYS, 540, 1080), HoursRule(frozenset({5}), 600, 840)),
        ),
        ("00:00–24:00", (HoursRule(EVERY_DAY, 0, 1440),)),
        ("24/7", (HoursRule(EVERY_DAY, 0, 1440),)),
    ],
)
def test_readable_hours_are_parsed(text: str, rules: tuple[HoursRule, ...]) -> None:
    assert parse_hours(text) == rules


@pytest.mark.parametrize(
    "text",
    [
        "",
        "By appointment",
        "Every day 25:00–26:00",
        "Mon–Fri 09:60–17:00",
        "Funday 09:00–17:00",
        "Mon–Fri 24:00–08:00",
        "Mon–Fri 09:00",
    ],
)
def test_free_text_hours_are_not_parsed(text: str) -> None:
    assert parse_hours(text) is None


def test_open_is_decided_in_the_channels_time_zone_with_overnight_hours() -> None:
    hours = ChatHours(
        time_zone="Asia/Shanghai",
        rules=(HoursRule(frozenset({4}), 20 * 60, 2 * 60),),  # Friday 20:00 to Saturday 02:00
    )
    friday_2130 = datetime(2025, 3, 7, 13, 30, tzinfo=UTC)
    saturday_0130 = datetime(2025, 3, 7, 17, 30, tzinfo=UTC)
    saturday_0230 = datetime(2025, 3, 7, 18, 30, tzinfo=UTC)
    friday_1930 = datetime(2025, 3, 7, 11, 30, tzinfo=UTC)
    thursday_2130 = datetime(2025, 3, 6, 13, 30, tzinfo=UTC)

    assert [
        hours.is_open(t)
        for t in (friday_2130, saturday_0130, saturday_0230, friday_1930, thursday_2130)
    ] == [True, True, False, False, False]


@pytest.mark.django_db
def test_the_shipped_web_chat_channel_sets_the_hours() -> None:
    hours = chat_hours()

    assert (hours.source, hours.time_zone) == ("channel", "Asia/Shanghai")
    assert hours.is_open(datetime(2025, 3, 4, 0, 0, tzinfo=UTC))  # 08:00 in Shanghai
    assert not hours.is_open(datetime(2025, 3, 3, 23, 59, tzinfo=UTC))  # 07:59
    assert not hours.is_open(datetime(2025, 3, 4, 14, 0, tzinfo=UTC))  # 22:00


@pytest.mark.django_db
def test_without_readable_channel_hours_the_sla_calendar_applies(settings: Any) -> None:
    settings.OKPAY_SLA_BUSINESS_DAYS = (0, 1, 2, 3, 4)
    settings.OKPAY_SLA_BUSINESS_HOURS = (9, 18)
    settings.OKPAY_SLA_TIME_ZONE = "Europe/London"
    web_chat_hours("Ask us any time")
    Holiday.objects.create(date=date(2025, 3, 5), name="Test holiday")

    hours = chat_hours()

    assert (hours.source, hours.time_zone) == ("sla", "Europe/London")
    assert hours.is_open(datetime(2025, 3, 4, 9, 0, tzinfo=UTC))  # Tuesday 09:00
    assert not hours.is_open(datetime(2025, 3, 4, 18, 0, tzinfo=UTC))
    assert not hours.is_open(datetime(2025, 3, 5, 12, 0, tzinfo=UTC))  # the holiday
    assert not hours.is_open(datetime(2025, 3, 8, 12, 0, tzinfo=UTC))  # Saturday
    OfficialChannel.objects.filter(kind=ChannelKind.WEB_CHAT).update(
        hours_en="Every day 08:00–22:00", active=False
    )
    assert chat_hours().source == "sla"


@pytest.mark.django_db
def test_availability_says_why_chat_is_unavailable(
    people: dict[str, Any], chat_settings: Any
) -> None:
    open_at = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
    closed_at = datetime(2025, 3, 4, 15, 0, tzinfo=UTC)

    nobody = chat_availability(now=open_at, language="zh-hans")
    agent_online(people["agent"], open_at)
    somebody = chat_availability(now=open_at, language="en")
    closed = chat_availability(now=closed_at, language="en")

    assert (nobody.open, nobody.reason, nobody.hours) == (False, "no_agents", "每天 08:00–22:00")
    assert (somebody.open, somebody.reason, somebody.hours) == (True, None, "Every day 08:00–22:00")
    assert (closed.open, closed.reason) == (False, "closed")
