"""Customer ticket pages: list, new (also from a transaction), detail, reply, rate, files."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile as DjangoUpload
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okpay.errors import NotFound, OkpayError
from okpay.identity.models import User
from okpay.money.formatting import format_money
from okpay.support.errors_tickets import AttachmentTooLarge, TicketNotFound
from okpay.support.models import Ticket, TicketCategory, TicketStatus
from okpay.support.selectors_tickets import (
    attachment_get,
    messages_for_customer,
    ticket_for_customer,
    ticket_list_for_customer,
)
from okpay.support.services.tickets import (
    UploadedFile,
    is_support_staff,
    ticket_create,
    ticket_guest_confirm,
    ticket_rate,
    ticket_reply,
)
from okpay.support.views import current_language
from okpay.wallets.failures import failure_explain
from okpay.wallets.models import Transaction, TransactionStatus, TransactionType
from okpay.wallets.selectors import transaction_get

GUEST_SESSION_KEY = "support_guest_tickets"
MAX_FILES = 5


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _guest_ids(request: HttpRequest) -> list[int]:
    return [int(i) for i in request.session.get(GUEST_SESSION_KEY, [])]


def uploads_from(request: HttpRequest) -> list[UploadedFile]:
    files: list[DjangoUpload] = request.FILES.getlist("attachments")[:MAX_FILES]
    result = []
    for f in files:
        if f.size is not None and f.size > settings.OKPAY_SUPPORT_MAX_ATTACHMENT_BYTES:
            raise AttachmentTooLarge(field="attachments", filename=f.name or "")
        result.append(UploadedFile(filename=f.name or "attachment", content=f.read()))
    return result


def _customer_ticket(request: HttpRequest, number: str) -> Ticket:
    try:
        return ticket_for_customer(
            user=_user(request), number=number, guest_ids=_guest_ids(request)
        )
    except TicketNotFound as exc:
        raise Http404(str(exc.message)) from exc


@login_required
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assert user is not None
    return render(
        request, "support/tickets/list.html", {"tickets": ticket_list_for_customer(user=user)}
    )


def _prefill(txn: Transaction) -> dict[str, str]:
    """Subject, category and message text for a ticket about ``txn``."""
    if txn.type == TransactionType.DEPOSIT and txn.is_open:
        category = TicketCategory.TOPUP_DELAYED
    elif txn.type == TransactionType.INTERNATIONAL_TRANSFER:
        category = TicketCategory.INTERNATIONAL_TRANSFER
    else:
        category = TicketCategory.PAYMENT_FAILED
    lines = [
        _("Reference: %(v)s") % {"v": txn.reference},
        _("Time: %(v)s") % {"v": txn.created_at.strftime("%Y-%m-%d %H:%M UTC")},
        _("Amount: %(v)s")
        % {"v": format_money(txn.amount_minor, txn.currency, locale=get_language() or "en")},
        _("Type: %(v)s") % {"v": txn.get_type_display()},
        _("Method: %(v)s") % {"v": txn.get_funding_source_display() or "—"},
        _("Status: %(v)s") % {"v": txn.get_status_display()},
    ]
    if txn.failure_code:
        lines.append(_("Failure code: %(v)s") % {"v": txn.failure_code})
    body = "\n".join(lines) + "\n\n" + _("What happened, and what did you expect?") + "\n"
    subject = _("Help with transaction %(ref)s") % {"ref": txn.reference}
    return {"category": category, "subject": subject, "body": body}


@require_http_methods(["GET", "POST"])
def ticket_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    reference = (request.GET.get("transaction") or request.POST.get("transaction") or "").strip()
    txn: Transaction | None = None
    diagnosis = None
    if reference:
        if user is None:
            return redirect(f"{settings.LOGIN_URL}?next={request.get_full_path()}")
        try:
            txn = transaction_get(user=user, reference=reference)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        if txn.failure_code:
            diagnosis = failure_explain(txn.failure_code)
    values: dict[str, str] = {"category": TicketCategory.OTHER, "subject": "", "body": ""}
    if txn is not None:
        values.update(_prefill(txn))
    error: OkpayError | None = None
    if request.method == "POST":
        values = {
            "category": request.POST.get("category", TicketCategory.OTHER),
            "subject": request.POST.get("subject", "")[:200],
            "body": request.POST.get("body", ""),
            "email": request.POST.get("email", "").strip()[:254],
            "name": request.POST.get("name", "").strip()[:100],
        }
        try:
            if user is None and "@" not in values["email"]:
                raise OkpayError(_("Enter your e-mail address."), field="email")
            ticket = ticket_create(
                requester=user,
                email=values["email"],
                name=values["name"],
                subject=values["subject"],
                body=values["body"],
                category=values["category"],
                language=current_language(),
                transactions=[txn] if txn is not None else [],
                uploads=uploads_from(request),
            )
        except OkpayError as exc:
            error = exc
        else:
            if user is None:
                return render(
                    request, "support/tickets/guest_sent.html", {"email": ticket.requester_email}
                )
            flash.success(
                request,
                _("Ticket %(n)s is open. We answer within 24–48 hours.") % {"n": ticket.number},
            )
            return redirect("support:ticket", number=ticket.number)
    return render(
        request,
        "support/tickets/new.html",
        {
            "values": values,
            "error": error,
            "categories": TicketCategory.choices,
            "transaction": txn,
            "diagnosis": diagnosis,
            "guest": user is None,
            "failed": txn is not None
            and txn.status in (TransactionStatus.FAILED, TransactionStatus.RETURNED),
        },
        status=400 if error else 200,
    )


@require_GET
def ticket_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        ticket = ticket_guest_confirm(token=token)
    except OkpayError as exc:
        return render(request, "support/tickets/link_invalid.html", {"error": exc}, status=400)
    ids = _guest_ids(request)
    if ticket.pk not in ids:
        request.session[GUEST_SESSION_KEY] = [*ids, ticket.pk][-20:]
    rating = request.GET.get("rating", "")
    if rating in ("1", "2", "3", "4", "5"):  # a link of the "solved, please rate" e-mail
        return redirect(reverse("support:ticket", args=[ticket.number]) + f"?rating={rating}#rate")
    return redirect("support:ticket", number=ticket.number)


@require_http_methods(["GET", "POST"])
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _customer_ticket(request, number)
    if ticket.merged_into_id is not None and ticket.merged_into is not None:
        flash.info(
            request, _("This ticket was merged into %(n)s.") % {"n": ticket.merged_into.number}
        )
        if ticket.requester_id is not None:
            return redirect("support:ticket", number=ticket.merged_into.number)
    error: OkpayError | None = None
    if request.method == "POST":
        user = _user(request)
        try:
            ticket_reply(
                ticket=ticket,
                author=user,
                author_email=ticket.requester_email,
                body=request.POST.get("body", ""),
                uploads=uploads_from(request),
            )
        except OkpayError as exc:
            error = exc
        else:
            flash.success(request, _("Your reply was added."))
            return redirect("support:ticket", number=ticket.number)
    return render(
        request,
        "support/tickets/detail.html",
        {
            "ticket": ticket,
            "thread": messages_for_customer(ticket),
            "error": error,
            "closed": ticket.status == TicketStatus.CLOSED,
        },
        status=400 if error else 200,
    )


@require_POST
def ticket_rate_view(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _customer_ticket(request, number)
    try:
        rating = int(request.POST.get("rating", "0"))
    except ValueError:
        rating = 0
    try:
        ticket_rate(
            ticket=ticket,
            user=_user(request),
            rating=rating,
            comment=request.POST.get("comment", ""),
        )
    except OkpayError as exc:
        flash.error(request, str(exc.message))
    else:
        flash.success(request, _("Thank you for rating our answer."))
    return redirect("support:ticket", number=ticket.number)


def attachment_response(attachment: Any) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def attachment_download(
    request: HttpRequest, number: str, attachment_id: int
) -> HttpResponse | FileResponse:
    user = _user(request)
    staff = is_support_staff(user)
    try:
        if staff:
            assert user is not None
            ticket = Ticket.objects.filter(number=number).first()
            if ticket is None:
                raise TicketNotFound()
            from okpay.support.services.tickets import ticket_view_record

            ticket_view_record(ticket=ticket, viewer=user, what=f"attachment:{attachment_id}")
        else:
            ticket = ticket_for_customer(user=user, number=number, guest_ids=_guest_ids(request))
        attachment = attachment_get(
            user=user, ticket=ticket, attachment_id=attachment_id, staff=staff
        )
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    return attachment_response(attachment)
