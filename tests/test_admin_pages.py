"""Every back-office list page opens for an operator, with the demo data loaded."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from okpay.identity.models import User

MODELS = sorted((model._meta.app_label, model._meta.model_name) for model in admin.site._registry)


@pytest.mark.django_db
def test_every_changelist_opens_for_an_operator() -> None:
    # given: the demo data, so the lists show real rows
    call_command("demo_data", "--force", verbosity=0)
    client = Client()
    client.force_login(User.objects.get(email="admin@okpay.example"))

    # when
    statuses = {
        f"{app_label}.{model_name}": client.get(
            reverse(f"admin:{app_label}_{model_name}_changelist")
        ).status_code
        for app_label, model_name in MODELS
    }

    # then
    assert {name: status for name, status in statuses.items() if status != 200} == {}
    assert len(statuses) == len(MODELS)


def test_every_okpay_app_has_back_office_pages() -> None:
    apps = {app_label for app_label, _ in MODELS}
    assert {"identity", "ledger", "fx", "fees", "limits", "wallets", "support"} <= apps
