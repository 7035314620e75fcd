"""Helpers shared by the wallet pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from okpay.identity.models import User
from okpay.identity.services import step_up_holder_for_session
from okpay.money.formatting import format_money
from okpay.wallets.models import Transaction


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def holder(request: HttpRequest) -> str:
    return step_up_holder_for_session(request.session.session_key)


def render_wallet(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    active: str,
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    full = {
        "active": active,
        "email_unverified": user.email_verified_at is None,
        **(context or {}),
    }
    response = render(request, template, full, status=status)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def help_url(txn: Transaction) -> str:
    """The support contact page with the payment's reference, time, amount and method."""
    from django.urls import NoReverseMatch, reverse

    try:
        base = reverse("support:contact")
    except NoReverseMatch:
        base = "/help/"
    local = timezone.localtime(txn.created_at)
    query = {
        "topic": "payment",
        "reference": txn.reference,
        "time": local.isoformat(timespec="minutes"),
        "amount": format_money(
            txn.amount_minor, txn.currency, locale=translation.get_language() or "en"
        ),
        "method": str(txn.get_funding_source_display() or txn.get_type_display()),
    }
    return f"{base}?{urlencode(query)}"
