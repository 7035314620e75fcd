"""Opening hours as operators write them on the official channels, read by machines.

``parse_hours`` understands one or more ``<days> <HH:MM>–<HH:MM>`` parts separated by
``;``, where ``<days>`` is ``Every day``/``Daily`` or days and day ranges such as ``Mon–Fri``
or ``Mon, Wed, Sat``; ``24/7`` means always. A closing time at or before the opening time
runs past midnight (``22:00–02:00``). Anything else is free text (None): the caller then
falls back to its own rule. Live chat and the callback line read their hours with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MINUTES_PER_DAY = 24 * 60
_DAYS = {
    name: index
    for index, names in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for name in names
}
_DASH = r"\s*(?:[–—\-~]|to)\s*"
_SEGMENT = re.compile(
    rf"^(?P<days>.*?)\s*(?P<open>\d{{1,2}}:\d{{2}}){_DASH}(?P<close>\d{{1,2}}:\d{{2}})$"
)
_DAY_RANGE = re.compile(rf"^(?P<first>[a-z]+)\.?(?:{_DASH}(?P<last>[a-z]+)\.?)?$")


@dataclass(frozen=True)
class HoursRule:
    weekdays: frozenset[int]  # 0 = Monday
    opens: int  # minutes after midnight
    closes: int  # minutes after midnight; at or before ``opens``: the next day


def _minutes(value: str) -> int | None:
    hours, minutes = (int(part) for part in value.split(":"))
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        return None
    return hours * 60 + minutes


def _day(name: str) -> int | None:
    return _DAYS.get(name)


def _weekdays(text: str) -> frozenset[int] | None:
    text = text.strip().lower().rstrip(":")
    if text in ("every day", "everyday", "daily", "all week", ""):
        return frozenset(range(7))
    days: set[int] = set()
    for item in re.split(r"\s*[,/&]\s*|\s+and\s+", text):
        match = _DAY_RANGE.match(item.strip())
        if match is None:
            return None
        first = _day(match["first"])
        last = _day(match["last"]) if match["last"] else first
        if first is None or last is None:
            return None
        day = first
        days.add(day)
        while day != last:
            day = (day + 1) % 7
            days.add(day)
    return frozenset(days)


def parse_hours(text: str) -> tuple[HoursRule, ...] | None:
    """The rules in ``text`` (see the module docstring), or None when it is not readable."""
    text = " ".join(text.split())
    if not text:
        return None
    if text.lower() in ("24/7", "24 / 7", "always", "around the clock", "every day 24 hours"):
        return (HoursRule(weekdays=frozenset(range(7)), opens=0, closes=MINUTES_PER_DAY),)
    rules: list[HoursRule] = []
    for segment in text.split(";"):
        match = _SEGMENT.match(segment.strip())
        if match is None:
            return None
        weekdays = _weekdays(match["days"])
        opens, closes = _minutes(match["open"]), _minutes(match["close"])
        if weekdays is None or opens is None or closes is None or opens == MINUTES_PER_DAY:
            return None
        rules.append(HoursRule(weekdays=weekdays, opens=opens, closes=closes))
    return tuple(rules)
