"""Pages that move money: top-up, withdraw, send, international transfer, convert.

Send, international transfer and convert go through a quote page: the form makes a quote
(fee, rate, amount received, locked for ``OKPAY_QUOTE_TTL_SECONDS``), the details wait in
the session under the quote's id, and confirming the quote makes the payment.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from okpay.errors import OkpayError
from okpay.identity.errors import StepUpRequired
from okpay.wallets import selectors, services
from okpay.wallets.errors import QuoteExpired
from okpay.wallets.forms import (
    ConvertForm,
    InternationalForm,
    SendForm,
    TopUpForm,
    WithdrawForm,
    form_apply_error,
)
from okpay.wallets.models import PayeeKind, Quote, Transaction, TransactionType
from okpay.wallets.views.common import current_user, holder, render_wallet

PENDING = "wallets_pending_quotes"
GET_POST = ["GET", "POST"]


def _done(txn: Transaction) -> HttpResponse:
    return redirect("wallets:transaction", reference=txn.reference)


def _step_up_redirect(exc: StepUpRequired, next_url: str) -> HttpResponse:
    action = str(exc.details.get("action", ""))
    return redirect(
        f"{reverse('identity:step_up')}?{urlencode({'next': next_url, 'action': action})}"
    )


@login_required
@require_http_methods(GET_POST)
def top_up(request: HttpRequest) -> HttpResponse:
    form = TopUpForm(request.POST or None, initial={"currency": request.GET.get("currency")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            txn = services.deposit_create(
                user=current_user(request),
                amount_minor=data["amount_minor"],
                currency=data["currency"],
                funding_source=data["funding_source"],
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            return _done(txn)
    from django.conf import settings

    delay = int(settings.OKPAY_SANDBOX_BANK_DELAY_SECONDS)
    return render_wallet(
        request,
        "wallets/top_up.html",
        {"form": form, "delay_minutes": max(1, (delay + 59) // 60), "delay_seconds": delay},
        active="top_up",
    )


@login_required
@require_http_methods(GET_POST)
def withdraw(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    own = selectors.payees_list(user=user, kind=PayeeKind.OWN_BANK_ACCOUNT)
    form = WithdrawForm(request.POST or None, payees=own)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            txn = services.withdrawal_create(
                user=user,
                holder=holder(request),
                payee_id=data["payee"],
                amount_minor=data["amount_minor"],
            )
        except StepUpRequired as exc:
            return _step_up_redirect(exc, reverse("wallets:withdraw"))
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            return _done(txn)
    return render_wallet(
        request, "wallets/withdraw.html", {"form": form, "payees": own}, active="withdraw"
    )


def _remember(request: HttpRequest, quote: Quote, details: dict[str, Any]) -> HttpResponse:
    pending = dict(request.session.get(PENDING) or {})
    if len(pending) > 20:
        pending = dict(list(pending.items())[-10:])
    pending[str(quote.pk)] = details
    request.session[PENDING] = pending
    return redirect("wallets:quote", quote_id=quote.pk)


@login_required
@require_http_methods(GET_POST)
def send(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = SendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = services.recipient_find(sender=user, recipient=data["recipient"])
            quote = services.quote_create(
                user=user,
                operation=TransactionType.P2P_SEND,
                send_currency=data["currency"],
                receive_currency=data["receive_currency"],
                amount_minor=data["amount_minor"],
                to_country=target.country,
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            return _remember(
                request,
                quote,
                {
                    "operation": TransactionType.P2P_SEND,
                    "recipient": data["recipient"],
                    "recipient_name": target.display_name,
                    "note": data["note"],
                },
            )
    return render_wallet(request, "wallets/send.html", {"form": form}, active="send")


@login_required
@require_http_methods(GET_POST)
def international(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = InternationalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.bank_account_validate(
                name=data["name"],
                bank_country=data["bank_country"],
                iban=data["iban"],
                account_number=data["account_number"],
                bic=data["bic"],
                address=data["address"],
            )
            quote = services.quote_create(
                user=user,
                operation=TransactionType.INTERNATIONAL_TRANSFER,
                send_currency=data["currency"],
                receive_currency=data["receive_currency"],
                amount_minor=data["amount_minor"],
                amount_side=data["amount_side"],
                to_country=account.bank_country,
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            return _remember(
                request,
                quote,
                {"operation": TransactionType.INTERNATIONAL_TRANSFER, **account.snapshot()},
            )
    return render_wallet(
        request, "wallets/international.html", {"form": form}, active="international"
    )


@login_required
@require_http_methods(GET_POST)
def convert(request: HttpRequest) -> HttpResponse:
    form = ConvertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            quote = services.quote_create(
                user=current_user(request),
                operation=TransactionType.CONVERSION,
                send_currency=data["currency"],
                receive_currency=data["to_currency"],
                amount_minor=data["amount_minor"],
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            return _remember(request, quote, {"operation": TransactionType.CONVERSION})
    return render_wallet(request, "wallets/convert.html", {"form": form}, active="convert")


# --- the quote page --------------------------------------------------------------------------


def _quote(request: HttpRequest, quote_id: int) -> tuple[Quote, dict[str, Any]]:
    quote = Quote.objects.filter(pk=quote_id, user=current_user(request)).first()
    details = (request.session.get(PENDING) or {}).get(str(quote_id))
    if quote is None or details is None:
        raise Http404(_("This quote does not exist."))
    return quote, details


def _execute(request: HttpRequest, quote: Quote, details: dict[str, Any]) -> Transaction:
    user = current_user(request)
    if quote.operation == TransactionType.P2P_SEND:
        return services.p2p_send(
            user=user,
            holder=holder(request),
            recipient=details["recipient"],
            amount_minor=quote.send_amount_minor,
            currency=quote.send_currency,
            receive_currency=quote.receive_currency,
            quote_id=quote.pk,
            note=details.get("note", ""),
        )
    if quote.operation == TransactionType.CONVERSION:
        return services.conversion_create(
            user=user,
            from_currency=quote.send_currency,
            to_currency=quote.receive_currency,
            quote_id=quote.pk,
        )
    return services.international_transfer_create(
        user=user,
        holder=holder(request),
        quote_id=quote.pk,
        name=details["name"],
        address=details.get("address", ""),
        bank_country=details["bank_country"],
        iban=details.get("iban", ""),
        account_number=details.get("account_number", ""),
        bic=details.get("bic", ""),
    )


ACTIVE: dict[str, str] = {
    TransactionType.P2P_SEND.value: "send",
    TransactionType.INTERNATIONAL_TRANSFER.value: "international",
    TransactionType.CONVERSION.value: "convert",
}


@login_required
@require_http_methods(GET_POST)
def quote(request: HttpRequest, quote_id: int) -> HttpResponse:
    row, details = _quote(request, quote_id)
    error = ""
    now = timezone.now()
    if request.method == "POST" and row.used_at is None and row.expires_at > now:
        try:
            txn = _execute(request, row, details)
        except StepUpRequired as exc:
            return _step_up_redirect(exc, reverse("wallets:quote", args=[row.pk]))
        except QuoteExpired:
            row.refresh_from_db()
        except OkpayError as exc:
            error = str(exc.message)
        else:
            pending = dict(request.session.get(PENDING) or {})
            pending.pop(str(row.pk), None)
            request.session[PENDING] = pending
            return _done(txn)
    now = timezone.now()
    expired = row.used_at is not None or row.expires_at <= now
    seconds_left = max(0, int((row.expires_at - now).total_seconds()))
    return render_wallet(
        request,
        "wallets/quote.html",
        {
            "quote": row,
            "details": details,
            "expired": expired,
            "seconds_left": seconds_left,
            "error": error,
            "eta_hint": row.operation == TransactionType.INTERNATIONAL_TRANSFER,
        },
        active=ACTIVE.get(row.operation, ""),
        status=200,
    )


@login_required
@require_POST
def quote_renew(request: HttpRequest, quote_id: int) -> HttpResponse:
    """A new quote for the same payment (after the old one expired)."""
    row, details = _quote(request, quote_id)
    try:
        fresh = services.quote_create(
            user=current_user(request),
            operation=row.operation,
            send_currency=row.send_currency,
            receive_currency=row.receive_currency,
            amount_minor=row.receive_amount_minor
            if row.amount_side == "receive"
            else row.send_amount_minor,
            amount_side=row.amount_side,
            to_country=row.to_country,
        )
    except OkpayError as exc:
        messages.error(request, str(exc.message))
        return redirect("wallets:quote", quote_id=row.pk)
    pending = dict(request.session.get(PENDING) or {})
    pending.pop(str(row.pk), None)
    request.session[PENDING] = pending
    return _remember(request, fresh, details)
