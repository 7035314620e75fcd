"""The operator edits the fee schedule in the admin; the model's validation shows there."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from okpay.fees.models import FeeRule

pytestmark = pytest.mark.django_db


def test_schedule_list_shows_the_shipped_rules(admin_client: Client) -> None:
    response = admin_client.get(reverse("admin:fees_feerule_changelist"))
    assert response.status_code == 200
    assert "International transfer (KWD)" in response.content.decode()


def test_admin_refuses_a_minimum_above_the_maximum(admin_client: Client) -> None:
    count = FeeRule.objects.count()
    response = admin_client.post(
        reverse("admin:fees_feerule_add"),
        {
            "name": "bad",
            "transaction_type": "withdrawal",
            "funding_source": "",
            "currency": "USD",
            "amount_from_minor": "0",
            "percent": "1",
            "fixed_minor": "0",
            "minimum_minor": "500",
            "maximum_minor": "100",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors == {
        "maximum_minor": ["最高费用不能低于最低费用。"]  # the admin speaks zh-Hans by default
    }
    assert FeeRule.objects.count() == count
