"""Pages that read: dashboard, history, detail, receipt, statement, payees, fee calculator."""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okpay.errors import OkpayError
from okpay.identity.errors import StepUpRequired
from okpay.identity.services import StepUpAction, step_up_required
from okpay.money import enabled_currencies, to_decimal
from okpay.wallets import selectors, services
from okpay.wallets.forms import (
    FeeCalculatorForm,
    HistoryFilterForm,
    PayeeForm,
    StatementForm,
    form_apply_error,
)
from okpay.wallets.views.common import current_user, help_url, holder, render_wallet

CHART_DAYS = 30
CHART_W, CHART_H = 320, 80


def _chart(points: list[selectors.BalancePoint]) -> dict[str, Any]:
    """An SVG polyline for the closing balances (drawn on the server, no script)."""
    values = [p.closing_minor for p in points]
    low, high = min([*values, 0]), max([*values, 0])
    span = (high - low) or 1
    step = CHART_W / max(len(values) - 1, 1)
    coords = [
        (round(i * step, 1), round(CHART_H - 4 - (v - low) * (CHART_H - 8) / span, 1))
        for i, v in enumerate(values)
    ]
    line = " ".join(f"{x},{y}" for x, y in coords)
    area = f"0,{CHART_H} {line} {CHART_W},{CHART_H}"
    return {
        "line": line,
        "area": area,
        "width": CHART_W,
        "height": CHART_H,
        "first": points[0].day,
        "last": points[-1].day,
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    balances = selectors.wallet_balances(user=user)
    codes = [c.code for c in enabled_currencies()]
    display = (request.GET.get("display") or "").upper()
    if display not in codes:
        display = "CNY" if "CNY" in codes else codes[0]
    total, total_error = None, ""
    try:
        total = selectors.wallets_total(user=user, display_currency=display)
    except OkpayError as exc:
        total_error = str(exc.message)
    today = timezone.localdate()
    charts = {
        b.currency: _chart(
            selectors.balance_series(
                user=user,
                currency=b.currency,
                day_from=today - timedelta(days=CHART_DAYS - 1),
                day_to=today,
            )
        )
        for b in balances
    }
    wallets = [{"balance": b, "chart": charts[b.currency]} for b in balances]
    recent = selectors.transactions_list(user=user, limit=5).items
    openable = [c for c in codes if c not in {b.currency for b in balances}]
    return render_wallet(
        request,
        "wallets/dashboard.html",
        {
            "wallets": wallets,
            "total": total,
            "total_error": total_error,
            "display": display,
            "display_choices": codes,
            "recent": recent,
            "openable": openable,
        },
        active="dashboard",
    )


@login_required
@require_POST
def wallet_open(request: HttpRequest) -> HttpResponse:
    currency = (request.POST.get("currency") or "").upper()[:3]
    try:
        services.wallet_open(user=current_user(request), currency=currency)
    except OkpayError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Your %(currency)s wallet is open.") % {"currency": currency})
    return redirect("wallets:dashboard")


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = HistoryFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "type": data["type"],
            "status": data["status"],
            "currency": data["currency"],
            "search": data["search"],
            "created_from": _day_start(data["date_from"]) if data["date_from"] else None,
            "created_to": _day_start(data["date_to"] + timedelta(days=1))
            if data["date_to"]
            else None,
        }
    page = None
    try:
        page = selectors.transactions_list(
            user=user,
            limit=20,
            starting_after=request.GET.get("starting_after", "")[:24],
            **filters,
        )
    except OkpayError as exc:
        form_apply_error(form, exc) if form.is_bound else messages.error(request, str(exc.message))
        page = selectors.transactions_list(user=user, limit=20, **filters)
    query = request.GET.copy()
    query.pop("starting_after", None)
    if page.next_cursor:
        query["starting_after"] = page.next_cursor
    return render_wallet(
        request,
        "wallets/history.html",
        {"form": form, "page": page, "next_query": query.urlencode() if page.next_cursor else ""},
        active="history",
    )


def _detail(request: HttpRequest, reference: str) -> selectors.TransactionDetail:
    try:
        return selectors.transaction_detail(user=current_user(request), reference=reference[:24])
    except OkpayError as exc:
        raise Http404(str(exc.message)) from None


@login_required
@require_GET
def transaction_detail(request: HttpRequest, reference: str) -> HttpResponse:
    detail = _detail(request, reference)
    return render_wallet(
        request,
        "wallets/transaction.html",
        {"detail": detail, "txn": detail.transaction, "help_url": help_url(detail.transaction)},
        active="history",
    )


@login_required
@require_GET
def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    detail = _detail(request, reference)
    return render_wallet(
        request,
        "wallets/receipt.html",
        {"detail": detail, "txn": detail.transaction},
        active="history",
    )


STATEMENT_HEADER = [
    "date",
    "reference",
    "type",
    "status",
    "amount",
    "currency",
    "fee",
    "fee_currency",
    "received_amount",
    "received_currency",
    "counterparty",
    "failure_code",
]


def statement_csv(rows: list[selectors.StatementRow]) -> bytes:
    """UTF-8 with a BOM (so spreadsheet programs read Chinese names), amounts in major
    units as decimal strings, times in ISO 8601 in the active time zone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(STATEMENT_HEADER)
    for r in rows:
        writer.writerow(
            [
                timezone.localtime(r.created_at).isoformat(timespec="seconds"),
                r.reference,
                r.type,
                r.status,
                str(to_decimal(r.amount_minor, r.currency)),
                r.currency,
                str(to_decimal(r.fee_minor, r.fee_currency or r.currency)),
                r.fee_currency or r.currency,
                ""
                if r.receive_amount_minor is None
                else str(to_decimal(r.receive_amount_minor, r.receive_currency or r.currency)),
                r.receive_currency,
                r.counterparty,
                r.failure_code,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@login_required
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    form = StatementForm(request.GET or None)
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        rows = selectors.statement_rows(
            user=current_user(request),
            created_from=_day_start(start),
            created_to=_day_start(end + timedelta(days=1)),
        )
        response = HttpResponse(statement_csv(rows), content_type="text/csv; charset=utf-8")
        name = f"okpay-statement-{start:%Y%m%d}-{end:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
    if not form.is_bound:
        today = timezone.localdate()
        form = StatementForm(initial={"date_from": today.replace(day=1), "date_to": today})
    return render_wallet(request, "wallets/statement.html", {"form": form}, active="statement")


# --- payees ----------------------------------------------------------------------------------


@login_required
@require_GET
def payees(request: HttpRequest) -> HttpResponse:
    rows = selectors.payees_list(user=current_user(request))
    return render_wallet(request, "wallets/payees.html", {"payees": rows}, active="payees")


def _step_up(request: HttpRequest, next_url: str) -> HttpResponse:
    from urllib.parse import urlencode

    query = urlencode({"next": next_url, "action": StepUpAction.ADD_PAYEE.value})
    return redirect(f"{reverse('identity:step_up')}?{query}")


@login_required
@require_http_methods(["GET", "POST"])
def payee_add(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    here = reverse("wallets:payee_add")
    if user.email_verified_at is not None and step_up_required(
        user=user, holder=holder(request), action=StepUpAction.ADD_PAYEE
    ):
        return _step_up(request, here)
    form = PayeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.payee_add(user=user, holder=holder(request), **data)
        except StepUpRequired:
            return _step_up(request, here)
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            messages.success(request, _("The payee is saved."))
            return redirect("wallets:payees")
    return render_wallet(request, "wallets/payee_add.html", {"form": form}, active="payees")


@login_required
@require_POST
def payee_remove(request: HttpRequest, payee_id: int) -> HttpResponse:
    try:
        services.payee_remove(user=current_user(request), payee_id=payee_id)
    except OkpayError as exc:
        raise Http404(str(exc.message)) from None
    messages.success(request, _("The payee is removed."))
    return redirect("wallets:payees")


# --- public fee calculator -------------------------------------------------------------------


@require_GET
def fees(request: HttpRequest) -> HttpResponse:
    from okpay.fees.selectors import fee_schedule_public

    form = FeeCalculatorForm(request.GET or None)
    estimate = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            estimate = selectors.price_estimate(
                transaction_type=data["transaction_type"],
                send_currency=data["currency"],
                receive_currency=data["receive_currency"],
                amount_minor=data["amount_minor"],
                funding_source=data["funding_source"],
                from_country=data["from_country"],
                to_country=data["to_country"],
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
    response = render(
        request,
        "wallets/fees.html",
        {"form": form, "estimate": estimate, "schedule": fee_schedule_public()},
    )
    return response
