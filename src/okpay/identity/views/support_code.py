"""Support verification codes: the customer's code page and the agent's check page."""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from okpay.errors import OkpayError
from okpay.identity import services
from okpay.identity.forms import SupportCodeVerifyForm, form_apply_error
from okpay.identity.services.support_code import CODE_LIFETIME
from okpay.identity.views.common import client, current_user, render_account

GET_POST = ["GET", "POST"]


@never_cache
@login_required
@require_http_methods(GET_POST)
def support_code(request: HttpRequest) -> HttpResponse:
    """GET explains; POST shows a fresh code (a page reload asks for another one)."""
    context: dict[str, object] = {"lifetime_minutes": int(CODE_LIFETIME.total_seconds() // 60)}
    status = 200
    if request.method == "POST":
        try:
            issued = services.support_code_issue(user=current_user(request), client=client(request))
        except OkpayError as exc:
            context["error"] = exc
            status = exc.http_status
        else:
            remaining = math.ceil((issued.expires_at - timezone.now()).total_seconds())
            context.update({"issued": issued, "remaining_seconds": max(0, remaining)})
    return render_account(
        request, "identity/support_code.html", context, active="support_code", status=status
    )


@never_cache
@login_required
@require_http_methods(GET_POST)
def agent_verify_code(request: HttpRequest) -> HttpResponse:
    """Support staff confirm a caller; everyone else gets 403."""
    agent = current_user(request)
    if not services.is_support_staff(agent):
        return render_account(request, "identity/agent_only.html", active="", status=403)
    form = SupportCodeVerifyForm(request.POST or None)
    verified = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            verified = services.support_code_verify(
                agent=agent,
                customer_email_or_id=data["customer"],
                code=data["code"],
                channel=data["channel"],
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            form = SupportCodeVerifyForm(initial={"channel": data["channel"]})
    return render_account(
        request,
        "identity/agent_verify_code.html",
        {"form": form, "verified": verified},
        active="agent_verify_code",
    )
