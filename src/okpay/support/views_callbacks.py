"""Phone callback pages: the customer's request form, list, detail and cancel; the agents'
queue, detail (customer context, caller verification, outcome), claim and release.

Customers must be signed in and reach only their own requests (others are "not found");
the agent pages are for agents, supervisors and operators only (others: "not found").
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okpay.errors import NotFound, OkpayError
from okpay.identity.models import User
from okpay.identity.services.support_code import VerifiedCustomer
from okpay.money.formatting import format_money
from okpay.support.errors_callbacks import CallbackAlreadyOpen
from okpay.support.models import (
    CallbackOutcome,
    CallbackRequest,
    CallbackStatus,
    CallbackTopic,
)
from okpay.support.selectors_callbacks import (
    LineHours,
    callback_context,
    callback_counts,
    callback_for_customer,
    callback_for_staff,
    callback_line_hours,
    callback_list_for_customer,
    callback_open_for_customer,
    callback_queue,
    official_phone_numbers,
    phone_for_viewer,
    window_state,
    zone_of,
)
from okpay.support.services.callbacks import (
    MAX_AHEAD,
    MAX_ATTEMPTS,
    MAX_NOTE,
    callback_cancel,
    callback_claim,
    callback_complete,
    callback_release,
    callback_request,
    callback_request_check,
    callback_verify_caller,
    callback_view_record,
)
from okpay.support.views import current_language
from okpay.support.views_agent import staff_required
from okpay.wallets.models import Transaction, TransactionStatus, TransactionType
from okpay.wallets.selectors import transaction_get, transactions_list

TRANSACTION_CHOICES = 20
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
# A service error's field → the form field it is shown beside.
FIELD_FOR = {"window_start": "time_from", "window_end": "time_to", "reference": "transaction"}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _apply_error(form: forms.Form, exc: OkpayError) -> None:
    field = FIELD_FOR.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, str(exc.message))


# --- the customer's pages -------------------------------------------------------------------


class CallbackForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Phone number"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=gettext_lazy("A mobile or landline number; without +, we read it as Chinese."),
    )
    date = forms.DateField(
        label=gettext_lazy("Date"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    time_from = forms.TimeField(
        label=gettext_lazy("Start time"),
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
    )
    time_to = forms.TimeField(
        label=gettext_lazy("End time"),
        input_formats=TIME_FORMATS,
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
    )
    topic = forms.ChoiceField(label=gettext_lazy("Topic"), choices=CallbackTopic.choices)
    transaction = forms.ChoiceField(
        label=gettext_lazy("About this transaction (optional)"), required=False
    )
    note = forms.CharField(
        label=gettext_lazy("What should we know before we call? (optional)"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4, "data-sensitive-warning": ""}),
    )

    def __init__(self, *args: Any, transactions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["transaction"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— None —")), *transactions]


def _transaction_label(txn: Transaction, language: str) -> str:
    amount = format_money(txn.amount_minor, txn.currency, locale=language)
    return (
        f"{txn.reference} · {txn.get_type_display()} · {amount} · "
        f"{timezone.localtime(txn.created_at).strftime('%Y-%m-%d')} · {txn.get_status_display()}"
    )


def _topic_for(txn: Transaction) -> str:
    if txn.type == TransactionType.INTERNATIONAL_TRANSFER:
        return CallbackTopic.INTERNATIONAL_TRANSFER
    if txn.type == TransactionType.DEPOSIT and txn.is_open:
        return CallbackTopic.TOPUP_DELAYED
    if txn.status in (TransactionStatus.FAILED, TransactionStatus.RETURNED):
        return CallbackTopic.PAYMENT_FAILED
    return CallbackTopic.OTHER


def _suggested_window(hours: LineHours | None, user: User) -> tuple[date, time, time]:
    """The next whole hour at least an hour from now, moved into the line's hours."""
    zone = zone_of(user.time_zone)
    start = (timezone.now().astimezone(zone) + timedelta(hours=2)).replace(
        minute=0, second=0, microsecond=0
    )
    if hours is not None:
        for _day in range(8):
            end = start + timedelta(hours=1)
            start_ok, end_ok = hours.covers(start, end)
            if start_ok and end_ok:
                break
            line_zone = zone_of(hours.time_zone)
            local = start.astimezone(line_zone)
            opening = local.replace(hour=hours.opens // 60, minute=hours.opens % 60)
            if local >= opening:
                opening += timedelta(days=1)
            start = opening.astimezone(zone)
    end = start + timedelta(hours=1)
    return start.date(), start.time(), end.time()


@login_required
@require_http_methods(["GET", "POST"])
def callback_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    language = current_language()
    reference = (request.GET.get("transaction") or "").strip()
    linked: Transaction | None = None
    if reference:
        try:
            linked = transaction_get(user=user, reference=reference)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
    recent = transactions_list(user=user, limit=TRANSACTION_CHOICES).items
    if linked is not None and linked not in recent:
        recent = [linked, *recent]
    choices = [(t.reference, _transaction_label(t, language)) for t in recent]
    hours = callback_line_hours()
    zone = zone_of(user.time_zone)
    day, start, end = _suggested_window(hours, user)
    initial = {
        "phone": user.phone,
        "date": day,
        "time_from": start,
        "time_to": end,
        "topic": _topic_for(linked) if linked is not None else CallbackTopic.OTHER,
        "transaction": linked.reference if linked is not None else "",
    }
    form = CallbackForm(
        request.POST if request.method == "POST" else None, initial=initial, transactions=choices
    )
    today = timezone.now().astimezone(zone).date()
    form.fields["date"].widget.attrs.update(
        {"min": today.isoformat(), "max": (today + MAX_AHEAD).isoformat()}
    )
    open_one = callback_open_for_customer(user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        window_start = datetime.combine(data["date"], data["time_from"], tzinfo=zone)
        window_end = datetime.combine(data["date"], data["time_to"], tzinfo=zone)
        checked = callback_request_check(
            requester=user,
            phone=data["phone"],
            window_start=window_start,
            window_end=window_end,
            topic=data["topic"],
            note=data["note"],
        )
        for problem in checked.problems:
            _apply_error(form, problem)
        if not checked.problems:
            try:
                txn = None
                if data["transaction"]:
                    txn = transaction_get(user=user, reference=data["transaction"])
                callback = callback_request(
                    requester=user,
                    phone=data["phone"],
                    window_start=window_start,
                    window_end=window_end,
                    topic=data["topic"],
                    transaction=txn,
                    note=data["note"],
                    language=language,
                )
            except CallbackAlreadyOpen as exc:
                form.add_error(None, str(exc.message))
            except OkpayError as exc:
                _apply_error(form, exc)
            else:
                flash.success(
                    request,
                    _("Callback request %(n)s is booked. We sent you a confirmation e-mail.")
                    % {"n": callback.number},
                )
                return redirect("support:callback", number=callback.number)
    return render(
        request,
        "support/callbacks/new.html",
        {
            "form": form,
            "open_one": open_one,
            "transaction": linked,
            "hours": hours.text(language) if hours is not None else "",
            "time_zone": zone.key,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def callback_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "support/callbacks/list.html",
        {
            "callbacks": callback_list_for_customer(user=user),
            "open_one": callback_open_for_customer(user=user),
            "time_zone": zone_of(user.time_zone).key,
        },
    )


def _own(request: HttpRequest, number: str) -> CallbackRequest:
    try:
        return callback_for_customer(user=_user(request), number=number)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
@require_GET
def callback_detail(request: HttpRequest, number: str) -> HttpResponse:
    callback = _own(request, number)
    hours = callback_line_hours()
    return render(
        request,
        "support/callbacks/detail.html",
        {
            "callback": callback,
            "time_zone": zone_of(_user(request).time_zone).key,
            "official_numbers": official_phone_numbers(),
            "hours": hours.text(current_language()) if hours is not None else "",
            "max_attempts": MAX_ATTEMPTS,
        },
    )


@login_required
@require_POST
def callback_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    callback = _own(request, number)
    try:
        callback_cancel(callback=callback, user=_user(request))
    except OkpayError as exc:
        flash.error(request, str(exc.message))
    else:
        flash.success(request, _("Your callback request %(n)s is cancelled.") % {"n": number})
    return redirect("support:callback", number=callback.number)


# --- the agents' pages ----------------------------------------------------------------------


def _staff_callback(request: HttpRequest, number: str) -> CallbackRequest:
    try:
        return callback_for_staff(user=_user(request), number=number)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc


@staff_required
@require_GET
def agent_callbacks(request: HttpRequest) -> HttpResponse:
    agent = _user(request)
    now = timezone.now()
    rows = [
        (cb, window_state(cb, now=now).value, phone_for_viewer(cb, agent))
        for cb in callback_queue()
    ]
    return render(
        request,
        "support/agent/callbacks.html",
        {
            "rows": rows,
            "counts": callback_counts(now=now),
            "agent_zone": zone_of(agent.time_zone).key,
            "max_attempts": MAX_ATTEMPTS,
        },
    )


def _render_agent_callback(
    request: HttpRequest,
    callback: CallbackRequest,
    *,
    verified: VerifiedCustomer | None = None,
    verify_error: str = "",
    outcome_form: dict[str, str] | None = None,
    outcome_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    agent = _user(request)
    callback_view_record(callback=callback, viewer=agent)
    mine = callback.status == CallbackStatus.IN_PROGRESS and callback.agent_id == agent.pk
    return render(
        request,
        "support/agent/callbacks_detail.html",
        {
            "callback": callback,
            "phone": phone_for_viewer(callback, agent),
            "mine": mine,
            "state": window_state(callback).value,
            "context": callback_context(callback=callback),
            "agent_zone": zone_of(agent.time_zone).key,
            "customer_zone": zone_of(callback.requester.time_zone).key,
            "outcomes": CallbackOutcome.choices,
            "verified": verified,
            "verify_error": verify_error,
            "outcome_form": outcome_form or {},
            "outcome_errors": outcome_errors or {},
            "max_attempts": MAX_ATTEMPTS,
            "may_release": callback.status == CallbackStatus.IN_PROGRESS
            and (mine or agent.role in ("supervisor", "operator")),
        },
        status=status,
    )


@staff_required
@require_GET
def agent_callback(request: HttpRequest, number: str) -> HttpResponse:
    return _render_agent_callback(request, _staff_callback(request, number))


@staff_required
@require_POST
def agent_callback_claim(request: HttpRequest, number: str) -> HttpResponse:
    callback = _staff_callback(request, number)
    try:
        callback_claim(callback=callback, agent=_user(request))
    except OkpayError as exc:
        flash.error(request, str(exc.message))
        return redirect("support:agent_callbacks")
    flash.success(request, _("You are calling %(n)s. Verify the caller first.") % {"n": number})
    return redirect("support:agent_callback", number=callback.number)


@staff_required
@require_POST
def agent_callback_release(request: HttpRequest, number: str) -> HttpResponse:
    callback = _staff_callback(request, number)
    try:
        callback_release(callback=callback, actor=_user(request))
    except OkpayError as exc:
        flash.error(request, str(exc.message))
        return redirect("support:agent_callback", number=callback.number)
    flash.success(request, _("%(n)s is back in the queue.") % {"n": number})
    return redirect("support:agent_callbacks")


@staff_required
@require_POST
def agent_callback_verify(request: HttpRequest, number: str) -> HttpResponse:
    callback = _staff_callback(request, number)
    try:
        verified = callback_verify_caller(
            callback=callback, agent=_user(request), code=request.POST.get("code", "")[:20]
        )
    except OkpayError as exc:
        return _render_agent_callback(request, callback, verify_error=str(exc.message), status=400)
    return _render_agent_callback(request, callback, verified=verified)


@staff_required
@require_POST
def agent_callback_complete(request: HttpRequest, number: str) -> HttpResponse:
    callback = _staff_callback(request, number)
    values = {
        "outcome": request.POST.get("outcome", ""),
        "note": request.POST.get("note", "")[:5000],
    }
    try:
        done = callback_complete(
            callback=callback, agent=_user(request), outcome=values["outcome"], note=values["note"]
        )
    except OkpayError as exc:
        field = exc.field if exc.field in values else "form"
        return _render_agent_callback(
            request,
            callback,
            outcome_form=values,
            outcome_errors={field: str(exc.message)},
            status=400,
        )
    if done.status == CallbackStatus.COMPLETED and done.ticket is not None:
        flash.success(
            request,
            _("%(n)s is completed and recorded on ticket %(t)s.")
            % {"n": number, "t": done.ticket.number},
        )
    else:
        flash.info(
            request,
            _("No answer (attempt %(a)s of %(m)s): %(n)s is back in the queue.")
            % {"a": done.attempts, "m": MAX_ATTEMPTS, "n": number},
        )
    return redirect("support:agent_callbacks")
