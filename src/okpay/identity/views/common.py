"""Helpers shared by the identity pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from okpay.identity.client import ClientInfo, client_info
from okpay.identity.errors import StepUpRequired
from okpay.identity.models import User
from okpay.identity.selectors import security_overview
from okpay.identity.services.step_up import (
    StepUpAction,
    step_up_holder_for_session,
    step_up_required,
)
from okpay.identity.services.support_code import is_support_staff
from okpay.notifications.mailbox import mailbox_directory

NEXT = "next"


def current_user(request: HttpRequest) -> User:
    """The signed-in user of a ``login_required`` view."""
    user = request.user
    assert isinstance(user, User)
    return user


def client(request: HttpRequest) -> ClientInfo:
    return client_info(request)


def holder(request: HttpRequest) -> str:
    return step_up_holder_for_session(request.session.session_key)


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` address if it stays on this site, else ``default``."""
    candidate = request.POST.get(NEXT) or request.GET.get(NEXT) or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def with_next(url: str, next_url: str | None) -> str:
    return f"{url}?{urlencode({NEXT: next_url})}" if next_url else url


def step_up_redirect(request: HttpRequest, *, action: str, next_url: str) -> HttpResponseRedirect:
    query = urlencode({NEXT: next_url, "action": action})
    return HttpResponseRedirect(f"{reverse('identity:step_up')}?{query}")


def redirect_for_step_up(
    request: HttpRequest, exc: StepUpRequired, next_url: str
) -> HttpResponseRedirect:
    return step_up_redirect(request, action=exc.action, next_url=next_url)


def step_up_needed(request: HttpRequest, action: StepUpAction) -> bool:
    return step_up_required(user=current_user(request), holder=holder(request), action=action)


def set_language_cookie(response: HttpResponse, language: str) -> HttpResponse:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _demo_mailbox_url() -> str | None:
    """In demo mode, pages that send e-mail point to the local mailbox."""
    if settings.DEBUG and mailbox_directory() is not None:
        return reverse("notifications:mailbox")
    return None


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HttpResponse:
    full = {"demo_mailbox_url": _demo_mailbox_url(), **(context or {})}
    response = render(request, template, full, status=status)
    # Links may carry single-use tokens: never send them to another site. ("no-referrer"
    # would also blank the Origin header of our own form posts, which CSRF checks.)
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    return response


def render_account(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    active: str,
    status: int = 200,
) -> HttpResponse:
    """An account page: the side navigation and the security banners."""
    user = current_user(request)
    full = {
        "overview": security_overview(user=user),
        "active": active,
        "account_user": user,
        "is_support_staff": is_support_staff(user),
    }
    full.update(context or {})
    return render_page(request, template, full, status=status)
