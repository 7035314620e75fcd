"""Helpers shared by the wallet pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from okpay.identity.models import User
from okpay.identity.services import step_up_holder_for_session
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
    """The support desk's "get help with this payment" page for this transaction.

    It diagnoses the payment first (failure explained, self-service steps), then offers a
    ticket pre-filled with the reference, time, amount, method, status and failure code.
    """
    from django.urls import reverse

    return f"{reverse('support:ticket_new')}?{urlencode({'transaction': txn.reference})}"
