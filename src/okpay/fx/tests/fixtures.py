"""FX fixtures: the shipped demo ECB file imported through the real service."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from okpay.fx.services import DATA_DIR, RatesImportResult, fx_rate_record, rates_import

# The demo file's day, 27 November 2026, published 16:00 in Frankfurt (CET, UTC+1).
ECB_AS_OF = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
DEMO_XML = DATA_DIR / "eurofxref-demo.xml"
DEMO_CSV = DATA_DIR / "eurofxref-demo.csv"


@pytest.fixture
def ecb_rates(db: None) -> RatesImportResult:
    return rates_import(content=DEMO_XML.read_bytes())


@pytest.fixture
def treasury_kwd(ecb_rates: RatesImportResult) -> None:
    """EUR/KWD 0.3562 from the treasury desk, one hour after the ECB's rates."""
    fx_rate_record(
        base="EUR",
        quote="KWD",
        rate=Decimal("0.3562"),
        source="OKpay treasury",
        as_of=datetime(2026, 11, 27, 16, 0, tzinfo=UTC),
    )


@pytest.fixture
def no_spreads(db: None) -> None:
    """Start from an empty spread table instead of the shipped defaults."""
    from okpay.fx.models import FxSpread

    FxSpread.objects.all().delete()
