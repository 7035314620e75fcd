"""Importing ECB euro reference rates: XML and CSV, history files, bad files, re-imports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from okpay.fx.errors import FxImportInvalid
from okpay.fx.models import FxRate
from okpay.fx.selectors import mid_rate
from okpay.fx.services import RatesImportResult, demo_rates_load, rates_import
from okpay.fx.tests.fixtures import DEMO_CSV, DEMO_XML, ECB_AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


ENABLED_FROM_ECB = ("AUD", "CAD", "CHF", "CNY", "GBP", "HKD", "JPY", "SGD", "USD")
DISCONTINUED = ("CYP", "EEK", "LTL", "LVL", "MTL", "ROL", "SIT", "SKK", "HRK", "TRL")


def stored() -> dict[str, Decimal]:
    return {row.quote: row.rate for row in FxRate.objects.filter(base="EUR")}


def history_xml(*days: tuple[str, str]) -> bytes:
    cubes = "".join(
        f"<Cube time='{day}'><Cube currency='USD' rate='{rate}'/></Cube>" for day, rate in days
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
        'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">'
        "<gesmes:subject>Reference rates</gesmes:subject>"
        f"<Cube>{cubes}</Cube></gesmes:Envelope>"
    ).encode()


# --- the shipped files -----------------------------------------------------------------------


def test_xml_import_stores_every_currency_of_the_day() -> None:
    result = rates_import(content=DEMO_XML.read_bytes())
    assert (result.source, result.as_of, result.created, result.updated, result.unchanged) == (
        "ECB",
        datetime(2026, 11, 27, 16, 0, tzinfo=result.as_of.tzinfo),
        30,
        0,
        0,
    )
    assert result.as_of == ECB_AS_OF
    assert set(ENABLED_FROM_ECB) <= set(result.currencies)
    assert len(result.currencies) == 30
    assert result.skipped == ()
    row = FxRate.objects.get(quote="USD")
    assert (row.base, row.rate, row.source, row.as_of) == (
        "EUR",
        Decimal("1.1612"),
        "ECB",
        ECB_AS_OF,
    )
    assert FxRate.objects.count() == 30


def test_csv_import_reads_the_same_rates_as_the_xml_and_skips_old_currencies() -> None:
    result = rates_import(content=DEMO_CSV.read_bytes(), source="ECB csv")
    assert (result.as_of, result.created) == (ECB_AS_OF, 30)
    assert result.skipped == DISCONTINUED
    csv_rates = stored()
    FxRate.objects.all().delete()
    rates_import(content=DEMO_XML.read_bytes())
    assert csv_rates == stored()
    assert "RUB" not in csv_rates  # "N/A" in the file


def test_importing_the_same_file_twice_adds_no_row() -> None:
    first = rates_import(content=DEMO_XML.read_bytes())
    second = rates_import(content=DEMO_XML.read_bytes())
    assert (first.created, second.created, second.updated, second.unchanged) == (30, 0, 0, 30)
    assert FxRate.objects.count() == 30


def test_csv_of_the_same_day_after_the_xml_changes_nothing() -> None:
    rates_import(content=DEMO_XML.read_bytes())
    again = rates_import(content=DEMO_CSV.read_bytes())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 30)


def test_a_corrected_rate_replaces_the_published_one() -> None:
    rates_import(content=DEMO_XML.read_bytes())
    corrected = DEMO_XML.read_bytes().replace(b"rate='1.1612'", b"rate='1.1613'")
    result = rates_import(content=corrected)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 29)
    assert FxRate.objects.get(quote="USD").rate == Decimal("1.1613")
    assert FxRate.objects.count() == 30


# --- history files: the newest day is taken ----------------------------------------------------


def test_xml_history_imports_only_the_newest_day_in_any_order() -> None:
    content = history_xml(("2026-11-26", "1.1500"), ("2026-11-27", "1.1612"), ("2026-11-25", "1.1"))
    result = rates_import(content=content)
    assert (result.as_of, result.currencies) == (ECB_AS_OF, ("USD",))
    assert stored() == {"USD": Decimal("1.1612")}


def test_csv_history_with_iso_dates_imports_the_newest_row() -> None:
    content = (
        b"Date,USD,JPY,CYP,\n"
        b"2026-11-26,1.1500,180.00,N/A,\n"
        b"2026-11-27,1.1612,181.42,N/A,\n"
        b"2026-11-25,1.1400,179.00,N/A,\n"
    )
    result = rates_import(content=content)
    assert (result.as_of, result.currencies, result.skipped) == (
        ECB_AS_OF,
        ("JPY", "USD"),
        ("CYP",),
    )
    assert stored() == {"USD": Decimal("1.1612"), "JPY": Decimal("181.42")}


def test_utf8_bom_and_windows_line_ends_are_accepted() -> None:
    content = b"\xef\xbb\xbfDate, USD, \r\n27 November 2026, 1.1612, \r\n"
    assert rates_import(content=content).currencies == ("USD",)


def test_summer_publication_is_at_16_00_central_european_summer_time() -> None:
    result = rates_import(content=b"Date, USD\n1 July 2026, 1.10\n")
    assert result.as_of == datetime(2026, 7, 1, 14, 0, tzinfo=UTC)


# --- malformed files: fx_import_invalid and nothing written ----------------------------------


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty."),
        (b"   \n", "the file is empty."),
        (b"<html><body>Not found</body></html>", "(no gesmes:Envelope)"),
        (b"<gesmes:Envelope", "the XML is not well formed"),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
            "the file declares a document type",
        ),
        (history_xml(), "the file contains no day of rates."),
        (history_xml(("27/11/2026", "1.1")), "“27/11/2026” is not a date (YYYY-MM-DD)."),
        (history_xml(("2026-11-27", "abc")), "the USD rate “abc” is not a number above zero."),
        (history_xml(("2026-11-27", "-1.1")), "the USD rate “-1.1” is not a number above zero."),
        (history_xml(("2026-11-27", "0")), "the USD rate “0” is not a number above zero."),
        (
            history_xml(("2026-11-27", "1.123456789012")),
            "needs more than 10 decimal places",
        ),
        (
            history_xml(("2026-11-27", "1.1"), ("2026-11-27", "1.2")),
            "the day 2026-11-27 is listed twice.",
        ),
        (b"PK\x03\x04zipdata", "this is a ZIP archive"),
        (b"\xff\xfe\x00D\x00a", "the file is neither XML nor UTF-8 text."),
        (b"USD, JPY\n1.1, 180\n", "the first line must be the header"),
        (b"Date, US Dollar\n27 November 2026, 1.1\n", "“US Dollar” is not a three-letter"),
        (b"Date, USD, USD\n27 November 2026, 1.1, 1.1\n", "line 1: a currency is listed twice."),
        (b"Date, USD, JPY\n27 November 2026, 1.1\n", "line 2 has 1 values for 2 currencies."),
        (b"Date, USD\n31 Nov 2026, 1.1\n", "line 2: “31 Nov 2026” is not a date."),
        (b"Date, USD\n27 November 2026, 1,1\n", "line 2 has 2 values for 1 currencies."),
        (b"Date, USD\n", "the file contains no day of rates."),
        (b"Date, USD\n27 November 2026, N/A\n", "the day 2026-11-27 has no rates."),
        (b"Date, EUR\n27 November 2026, 1\n", "EUR cannot have a rate against itself."),
    ],
)
def test_malformed_file_is_refused_and_nothing_is_imported(content: bytes, problem: str) -> None:
    with pytest.raises(FxImportInvalid) as caught:
        rates_import(content=content)
    assert caught.value.code == "fx_import_invalid"
    assert caught.value.field == "file"
    assert problem in caught.value.details["problem"]
    assert str(caught.value.message).endswith("Nothing was imported.")
    assert FxRate.objects.count() == 0


def test_problem_is_told_in_the_active_language() -> None:
    with translation.override("zh-hans"), pytest.raises(FxImportInvalid) as caught:
        rates_import(content=b"Date, USD\n27 November 2026, 1.1, 2\n")
    assert caught.value.message == (
        "无法导入汇率文件：第 2 行 有 2 个数值，但表头有 1 种货币。 未导入任何数据。"
    )


def test_one_bad_rate_late_in_the_file_leaves_the_table_as_it_was() -> None:
    rates_import(content=DEMO_XML.read_bytes())
    before = stored()
    bad = (
        DEMO_XML.read_bytes()
        .replace(b"2026-11-27", b"2026-11-30")
        .replace(b"rate='19.8763'", b"rate='x'")
    )
    with pytest.raises(FxImportInvalid):
        rates_import(content=bad)
    assert stored() == before
    assert FxRate.objects.count() == 30


def test_source_name_must_fit() -> None:
    with pytest.raises(FxImportInvalid) as caught:
        rates_import(content=DEMO_XML.read_bytes(), source="x" * 33)
    assert caught.value.field == "source"
    assert FxRate.objects.count() == 0


# --- demo rates and the command --------------------------------------------------------------


def test_demo_rates_are_fresh_and_include_the_treasury_kwd_rate() -> None:
    now = datetime(2027, 3, 1, 9, 41, tzinfo=UTC)
    ecb, treasury = demo_rates_load(now=now)
    hour = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert (ecb.source, ecb.as_of, ecb.created) == ("ECB demo", hour, 30)
    assert (treasury.source, treasury.currencies, treasury.created) == (
        "OKpay treasury",
        ("KWD",),
        1,
    )
    rate = mid_rate(from_currency="KWD", to_currency="EUR", at=now)
    assert (rate.rate, rate.source) == (Decimal("2.8074115665"), "OKpay treasury")
    again = demo_rates_load(now=now + timedelta(minutes=10))
    assert [r.created for r in again] == [0, 0]
    assert FxRate.objects.count() == 31


def test_command_imports_a_file(tmp_path: Path) -> None:
    path = tmp_path / "eurofxref.csv"
    path.write_bytes(DEMO_CSV.read_bytes())
    out = StringIO()
    call_command("fx", "import", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "ECB rates as of 2026-11-27 23:00 CST: 30 currencies, 30 new, 0 updated, 0 unchanged",
        "skipped (not ISO 4217 currencies): " + ", ".join(DISCONTINUED),
    ]
    assert FxRate.objects.count() == 30


def test_command_reports_a_malformed_file_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_bytes(b"hello")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("fx", "import", str(path))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("fx", "import", str(tmp_path / "missing.xml"))
    assert FxRate.objects.count() == 0


def test_command_lists_the_current_rates(ecb_rates: RatesImportResult) -> None:
    out = StringIO()
    with time_machine.travel(ECB_AS_OF + timedelta(hours=80), tick=False):
        call_command("fx", "rates", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "1 EUR buys (rates older than 72 h are stale):"
    assert len(lines) == 11
    # 80 hours after the ECB's publication its rates are stale; KWD has no rate at all
    assert lines[2] == "  USD            1.1612000000  ECB, 2026-11-27 23:00 CST  STALE"
    assert lines[-1] == "  KWD  no rate"
