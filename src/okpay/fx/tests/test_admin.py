"""Rates and spreads are listed in the admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from okpay.fx.services import RatesImportResult

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "text"),
    [("admin:fx_fxrate_changelist", "1.1612"), ("admin:fx_fxspread_changelist", "Main corridor")],
)
def test_changelists_show_rows(
    admin_client: Client, ecb_rates: RatesImportResult, url: str, text: str
) -> None:
    response = admin_client.get(reverse(url))
    assert response.status_code == 200
    assert text in response.content.decode()
