"""Writing exchange rates: the ECB file import, single rates, spreads, the demo rates.

ECB euro reference rates come in two shapes, both read by ``rates_import``:

- XML (``eurofxref-daily.xml``, ``eurofxref-hist.xml``): a ``gesmes:Envelope`` holding
  ``Cube time="YYYY-MM-DD"`` days of ``Cube currency="USD" rate="1.1612"`` rows.
- CSV (``eurofxref.csv``, ``eurofxref-hist.csv``): a header ``Date, USD, JPY, …`` and one
  row per day, dates as "27 November 2026" or "2026-11-27". Cells are trimmed, trailing
  commas ignored, "N/A" and empty cells skipped.

Only the newest day of a file is imported. The ECB publishes around 16:00 CET, so a day's
rates are stored ``as_of`` 16:00 Europe/Berlin of that day. Codes that are not ISO 4217
currencies today (the ECB's history still lists CYP, SIT, …) are skipped and reported.
A malformed file raises ``FxImportInvalid`` before anything is written. Importing the same
file again writes nothing: a rate is identified by (base, quote, source, as_of); a changed
value for the same identity (a correction) replaces the stored one.

The ECB publishes no KWD rate. OKpay's treasury desk sets it: an ``FxRate`` EUR/KWD with
source ``TREASURY_SOURCE``, entered in the admin or through ``fx_rate_record``; the demo
data ships one (``DEMO_TREASURY_RATES``).
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from okpay.fx.errors import FxImportInvalid
from okpay.fx.models import PIVOT_CURRENCY, RATE_DECIMAL_PLACES, RATE_MAX_DIGITS, FxRate, FxSpread
from okpay.money.currencies import find_currency

ECB_SOURCE = "ECB"
TREASURY_SOURCE = "OKpay treasury"
DEMO_SOURCE = "ECB demo"
ECB_NAMESPACE = "http://www.ecb.int/vocabulary/2002-08-01/eurofxref"
GESMES_NAMESPACE = "http://www.gesmes.org/xml/2002-08-01"
ECB_ZONE = ZoneInfo("Europe/Berlin")
ECB_PUBLICATION_TIME = time(16, 0)
DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_FILE = DATA_DIR / "eurofxref-demo.xml"
# EUR/KWD from the treasury desk: the ECB does not publish KWD.
DEMO_TREASURY_RATES: dict[str, Decimal] = {"KWD": Decimal("0.3562")}

_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_CODE = re.compile(r"[A-Z]{3}")
_LONG_DATE = re.compile(r"(\d{1,2}) ([A-Za-z]+) (\d{4})")
_SKIPPED_VALUES = frozenset({"", "N/A"})


@dataclass(frozen=True, slots=True)
class ParsedRates:
    """One day of a rate file: units of each currency per 1 EUR."""

    day: date
    rates: dict[str, Decimal]
    skipped: tuple[str, ...]  # codes that are not ISO 4217 currencies


@dataclass(frozen=True, slots=True)
class RatesImportResult:
    source: str
    as_of: datetime
    currencies: tuple[str, ...]
    created: int
    updated: int
    unchanged: int
    skipped: tuple[str, ...]


# --- Parsing ---------------------------------------------------------------------------------


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _LONG_DATE.fullmatch(text)
    if match is None or match[2].lower() not in _MONTHS:
        return None
    try:
        return date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    except ValueError:
        return None


def _parse_rate(text: str, *, code: str, where: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    exponent = value.as_tuple().exponent
    if not value.is_finite() or value <= 0 or not isinstance(exponent, int):
        raise FxImportInvalid(
            gettext("%(where)s: the %(code)s rate “%(value)s” is not a number above zero.")
            % {"where": where, "code": code, "value": text[:40]}
        )
    integer_digits = max(value.adjusted() + 1, 1)
    if -exponent > RATE_DECIMAL_PLACES or integer_digits > RATE_MAX_DIGITS - RATE_DECIMAL_PLACES:
        raise FxImportInvalid(
            gettext(
                "%(where)s: the %(code)s rate “%(value)s” needs more than %(places)d decimal "
                "places or %(digits)d digits before the point."
            )
            % {
                "where": where,
                "code": code,
                "value": text[:40],
                "places": RATE_DECIMAL_PLACES,
                "digits": RATE_MAX_DIGITS - RATE_DECIMAL_PLACES,
            }
        )
    return value


def _check_code(code: str, *, where: str) -> bool:
    """True for a currency we know; False for a well-formed code that is not (any more)."""
    if not _CODE.fullmatch(code):
        raise FxImportInvalid(
            gettext("%(where)s: “%(value)s” is not a three-letter currency code.")
            % {"where": where, "value": code[:40]}
        )
    return find_currency(code) is not None


def _parse_xml(content: bytes) -> ParsedRates:
    if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
        raise FxImportInvalid(
            gettext("the file declares a document type, which ECB files never do.")
        )
    try:
        # Documents with a DOCTYPE are refused above, so no entity can be expanded.
        root = ET.fromstring(content)  # noqa: S314
    except ET.ParseError as exc:
        raise FxImportInvalid(
            gettext("the XML is not well formed (%(error)s).") % {"error": exc}
        ) from exc
    if root.tag != f"{{{GESMES_NAMESPACE}}}Envelope":
        raise FxImportInvalid(
            gettext("this XML is not an ECB euro reference rate file (no gesmes:Envelope).")
        )
    cube = f"{{{ECB_NAMESPACE}}}Cube"
    days: dict[date, ET.Element] = {}
    for element in root.findall(f"{cube}/{cube}"):
        text = element.get("time", "")
        day = _parse_date(text)
        if day is None:
            raise FxImportInvalid(
                gettext("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text[:40]}
            )
        if day in days:
            raise FxImportInvalid(gettext("the day %(day)s is listed twice.") % {"day": day})
        days[day] = element
    if not days:
        raise FxImportInvalid(gettext("the file contains no day of rates."))
    newest = max(days)
    rates: dict[str, Decimal] = {}
    skipped: list[str] = []
    for row in days[newest]:
        code = row.get("currency", "")
        where = str(newest)
        if not _check_code(code, where=where):
            skipped.append(code)
            continue
        if code in rates:
            raise FxImportInvalid(
                gettext("%(where)s: %(code)s is listed twice.") % {"where": where, "code": code}
            )
        rates[code] = _parse_rate(row.get("rate", ""), code=code, where=where)
    return _checked(ParsedRates(newest, rates, tuple(skipped)))


def _cells(row: list[str]) -> list[str]:
    cells = [cell.strip() for cell in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _parse_csv(content: bytes) -> ParsedRates:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FxImportInvalid(gettext("the file is neither XML nor UTF-8 text.")) from exc
    try:
        lines = [
            (number, _cells(row)) for number, row in enumerate(csv.reader(io.StringIO(text)), 1)
        ]
    except csv.Error as exc:
        raise FxImportInvalid(
            gettext("the CSV cannot be read (%(error)s).") % {"error": exc}
        ) from exc
    lines = [(number, cells) for number, cells in lines if cells]
    if not lines or lines[0][1][0].lower() != "date":
        raise FxImportInvalid(gettext("the first line must be the header “Date, USD, JPY, …”."))
    codes = lines[0][1][1:]
    known = [_check_code(code, where=gettext("line 1")) for code in codes]
    if len(set(codes)) != len(codes):
        raise FxImportInvalid(gettext("line 1: a currency is listed twice."))
    days: dict[date, tuple[int, list[str]]] = {}
    for number, cells in lines[1:]:
        where = gettext("line %(line)d") % {"line": number}
        day = _parse_date(cells[0])
        if day is None:
            raise FxImportInvalid(
                gettext("%(where)s: “%(value)s” is not a date.")
                % {"where": where, "value": cells[0][:40]}
            )
        if len(cells) - 1 != len(codes):
            raise FxImportInvalid(
                gettext("%(where)s has %(found)d values for %(expected)d currencies.")
                % {"where": where, "found": len(cells) - 1, "expected": len(codes)}
            )
        if day in days:
            raise FxImportInvalid(gettext("the day %(day)s is listed twice.") % {"day": day})
        days[day] = (number, cells[1:])
    if not days:
        raise FxImportInvalid(gettext("the file contains no day of rates."))
    newest = max(days)
    number, values = days[newest]
    where = gettext("line %(line)d") % {"line": number}
    rates = {
        code: _parse_rate(value, code=code, where=where)
        for code, value, ok in zip(codes, values, known, strict=True)
        if ok and value not in _SKIPPED_VALUES
    }
    skipped = tuple(code for code, ok in zip(codes, known, strict=True) if not ok)
    return _checked(ParsedRates(newest, rates, skipped))


def _checked(parsed: ParsedRates) -> ParsedRates:
    if PIVOT_CURRENCY in parsed.rates:
        raise FxImportInvalid(gettext("EUR cannot have a rate against itself."))
    if not parsed.rates:
        raise FxImportInvalid(gettext("the day %(day)s has no rates.") % {"day": parsed.day})
    return parsed


def rates_parse(*, content: bytes) -> ParsedRates:
    """The newest day of an ECB XML or CSV rate file; raises ``FxImportInvalid``."""
    if not isinstance(content, bytes):
        raise TypeError(f"content must be bytes, not {type(content).__name__}")
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start:
        raise FxImportInvalid(gettext("the file is empty."))
    if start.startswith(b"<"):
        return _parse_xml(start)
    if start.startswith(b"PK"):
        raise FxImportInvalid(
            gettext("this is a ZIP archive; unpack it and import the file inside.")
        )
    return _parse_csv(content)


def ecb_as_of(day: date) -> datetime:
    """When the ECB's rates of ``day`` were published: 16:00 in Frankfurt."""
    return datetime.combine(day, ECB_PUBLICATION_TIME, tzinfo=ECB_ZONE)


# --- Writing ---------------------------------------------------------------------------------


def _source_checked(source: str) -> str:
    cleaned = source.strip()
    max_length = FxRate._meta.get_field("source").max_length or 0
    if not cleaned or len(cleaned) > max_length:
        raise FxImportInvalid(
            gettext("the source must be a name of 1 to %(max)d characters.") % {"max": max_length},
            field="source",
        )
    return cleaned


def fx_rate_record(
    *, base: str, quote: str, rate: Decimal, source: str, as_of: datetime
) -> tuple[FxRate, str]:
    """Store one rate; returns the row and "created", "updated" or "unchanged".

    The row is validated like an admin edit (``full_clean``), so a bad currency, a pair
    without EUR or a rate of zero raises ``django.core.exceptions.ValidationError``.
    """
    if timezone.is_naive(as_of):
        raise ValueError("as_of must be timezone-aware")
    with transaction.atomic():
        row = (
            FxRate.objects.select_for_update()
            .filter(base=base, quote=quote, source=source, as_of=as_of)
            .first()
        )
        if row is None:
            row = FxRate(base=base, quote=quote, rate=rate, source=source, as_of=as_of)
            row.full_clean()
            row.save()
            return row, "created"
        if row.rate == rate:
            return row, "unchanged"
        row.rate = rate
        row.full_clean()
        row.save(update_fields=["rate"])
        return row, "updated"


def _rates_store(parsed: ParsedRates, *, source: str, as_of: datetime) -> RatesImportResult:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        for code in sorted(parsed.rates):
            _, outcome = fx_rate_record(
                base=PIVOT_CURRENCY, quote=code, rate=parsed.rates[code], source=source, as_of=as_of
            )
            counts[outcome] += 1
    return RatesImportResult(
        source=source,
        as_of=as_of,
        currencies=tuple(sorted(parsed.rates)),
        skipped=parsed.skipped,
        **counts,
    )


def rates_import(*, content: bytes, source: str = ECB_SOURCE) -> RatesImportResult:
    """Import the newest day of an ECB euro reference rate file (XML or CSV).

    All or nothing: a malformed file raises ``FxImportInvalid`` and writes no row.
    """
    name = _source_checked(source)
    parsed = rates_parse(content=content)
    return _rates_store(parsed, source=name, as_of=ecb_as_of(parsed.day))


def demo_rates_load(*, now: datetime | None = None) -> tuple[RatesImportResult, ...]:
    """Fresh demo rates: the shipped ECB file's values and the treasury's KWD rate.

    They are stored ``as_of`` the start of the current hour, so running the demo set-up
    again within the hour writes nothing, and a later run makes the rates fresh again.
    """
    moment = (now if now is not None else timezone.now()).replace(minute=0, second=0, microsecond=0)
    parsed = rates_parse(content=DEMO_FILE.read_bytes())
    ecb = _rates_store(parsed, source=DEMO_SOURCE, as_of=moment)
    treasury = _rates_store(
        ParsedRates(parsed.day, dict(DEMO_TREASURY_RATES), ()), source=TREASURY_SOURCE, as_of=moment
    )
    return ecb, treasury


def fx_spread_set(
    *,
    from_currency: str,
    to_currency: str,
    spread_bps: int,
    min_amount_minor: int = 0,
    note: str = "",
) -> FxSpread:
    """Create or change the spread of one pair and tier ("*" for any currency)."""
    with transaction.atomic():
        row = (
            FxSpread.objects.select_for_update()
            .filter(
                from_currency=from_currency,
                to_currency=to_currency,
                min_amount_minor=min_amount_minor,
            )
            .first()
        ) or FxSpread(
            from_currency=from_currency, to_currency=to_currency, min_amount_minor=min_amount_minor
        )
        row.spread_bps = spread_bps
        row.note = note
        row.full_clean()
        row.save()
        return row
