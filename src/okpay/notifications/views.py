"""The demo mailbox at /dev/mailbox: only in debug mode (404 otherwise)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from okpay.notifications.mailbox import mailbox_directory, mailbox_message, mailbox_messages


def _require_debug() -> None:
    if not settings.DEBUG:
        raise Http404("The mailbox exists only in debug mode.")


@require_GET
def mailbox_index(request: HttpRequest) -> HttpResponse:
    _require_debug()
    directory = mailbox_directory()
    to = request.GET.get("to", "")[:254]
    messages = mailbox_messages(directory=directory, to=to) if directory else []
    response = render(
        request,
        "notifications/mailbox.html",
        {"messages_list": messages, "to": to, "in_use": directory is not None},
    )
    response["Referrer-Policy"] = "same-origin"
    return response


@require_GET
def mailbox_detail(request: HttpRequest, message_id: str) -> HttpResponse:
    _require_debug()
    directory = mailbox_directory()
    message = mailbox_message(directory=directory, message_id=message_id) if directory else None
    if message is None:
        raise Http404("No such message.")
    response = render(request, "notifications/mailbox_message.html", {"message": message})
    response["Referrer-Policy"] = "same-origin"
    return response
