"""Ends signed-in sessions that passed the idle or absolute limit (see ``session_check``)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from okpay.identity.models import SessionEndReason
from okpay.identity.services.sessions import session_check


class SessionSecurityMiddleware:
    """Place after AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            verdict = session_check(request=request)
            if not verdict.active:
                logout(request)
                reason = verdict.ended_because
                if reason == SessionEndReason.IDLE:
                    text = gettext(
                        "You were signed out after a period without activity. Please sign in again."
                    )
                elif reason == SessionEndReason.EXPIRED:
                    text = gettext(
                        "For your security, sessions have a maximum length. Please sign in again."
                    )
                else:
                    text = gettext("This session was ended. Please sign in again.")
                if not request.path.startswith("/api/"):
                    messages.info(request, text)
        return self.get_response(request)
