"""Limits and blocked countries are listed in the admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("admin:limits_limitrule_changelist", "KWD"),
        ("admin:limits_blockedcountry_changelist", "KP"),
    ],
)
def test_changelists_show_the_shipped_rows(admin_client: Client, url: str, text: str) -> None:
    response = admin_client.get(reverse(url))
    assert response.status_code == 200
    assert text in response.content.decode()
