"""Shared helpers for the ticket tests: users of every role, settings, a failed payment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from okpay.identity.tests.fixtures import PASSWORD, make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
SUPPORT = "support@okpay.example"


@pytest.fixture
def ticket_settings(settings: Any, tmp_path: Path) -> Any:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://okpay.example"
    settings.LANGUAGE_CODE = "en"
    settings.OKPAY_SUPPORT_EMAIL = SUPPORT
    settings.OKPAY_SUPPORT_ATTACHMENT_DIR = tmp_path / "attachments"
    settings.OKPAY_SLA_BUSINESS_DAYS = (0, 1, 2, 3, 4)
    settings.OKPAY_SLA_BUSINESS_HOURS = (0, 24)
    settings.OKPAY_SLA_TIME_ZONE = "Asia/Shanghai"
    mail.outbox.clear()
    return settings


@pytest.fixture
def people(db: None, ticket_settings: Any) -> dict[str, Any]:
    return {
        "owner": make_user("alice@example.com", display_name="Alice Zhang"),
        "other": make_user("bob@example.com", display_name="Bob Li"),
        "agent": make_user("agent@okpay.example", display_name="Agent Wu", role="agent"),
        "supervisor": make_user("lead@okpay.example", display_name="Lead Chen", role="supervisor"),
    }


def client_for(user: Any | None) -> Client:
    client = Client()
    if user is not None:
        assert client.login(email=user.email, password=PASSWORD)
    return client


def failed_payment(user: Any, settings: Any) -> Any:
    """A bank top-up the bank rejected, made through the wallet services."""
    from okpay.fx.services import demo_rates_load
    from okpay.wallets.services import deposit_create, system_accounts_ensure, transaction_settle

    system_accounts_ensure()
    demo_rates_load()
    settings.OKPAY_SANDBOX_FORCE = "rejected"
    now = timezone.now()
    txn = deposit_create(
        user=user, amount_minor=10_000, currency="USD", funding_source="bank_transfer", now=now
    )
    transaction_settle(
        transaction_id=txn.pk,
        now=now + timedelta(seconds=settings.OKPAY_SANDBOX_BANK_DELAY_SECONDS + 1),
    )
    txn.refresh_from_db()
    assert (txn.status, txn.failure_code) == ("failed", "rail_rejected")
    return txn
