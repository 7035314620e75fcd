"""Live-chat pages: the customer's chat page and the agent console.

The conversation itself runs over WebSocket (``okpay.support.consumers``); these views
render what the database holds and take the agent's form posts (accept, send, end, pass
back, verify), which also work without JavaScript. Only support staff reach the console;
anyone else gets "not found". Opening a chat in the console writes an audit row.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okpay.errors import OkpayError
from okpay.identity.models import Role, User
from okpay.identity.services import is_support_staff
from okpay.support.errors_chat import ChatNotFound
from okpay.support.models import ChatSession, ChatStatus
from okpay.support.selectors_chat import (
    chat_counts,
    chat_customer_context,
    chat_for_staff,
    chat_messages,
    chat_queue,
    chat_queue_position,
    chats_active_for_agent,
    chats_recent_for_agent,
)
from okpay.support.selectors_tickets import canned_replies
from okpay.support.services.chat import (
    chat_accept,
    chat_end,
    chat_message_send,
    chat_transfer,
    chat_verify_customer,
    chat_view_record,
)
from okpay.support.services.chat_hours import chat_availability, chat_hours_text
from okpay.support.views import current_language
from okpay.support.views_agent import staff_required


def _agent(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _chat(request: HttpRequest, chat_id: str) -> ChatSession:
    try:
        return chat_for_staff(user=_agent(request), public_id=chat_id)
    except ChatNotFound as exc:
        raise Http404(str(exc.message)) from exc


@require_GET
def chat_page(request: HttpRequest) -> HttpResponse:
    """The chat on a page of its own (the official web-chat address links here)."""
    user = request.user
    lang = current_language()
    return render(
        request,
        "support/chat/page.html",
        {
            "chat_page": True,
            "staff": is_support_staff(user),
            "hours": chat_hours_text(lang),
            "availability": chat_availability(now=timezone.now(), language=lang),
        },
    )


@staff_required
@require_GET
def agent_chats(request: HttpRequest) -> HttpResponse:
    agent = _agent(request)
    now = timezone.now()
    return render(
        request,
        "support/agent/chats.html",
        {
            "queue": chat_queue(now=now),
            "mine": chats_active_for_agent(agent=agent),
            "recent": chats_recent_for_agent(agent=agent),
            "counts": chat_counts(agent=agent),
            "now": now,
        },
    )


def _render_chat(
    request: HttpRequest, chat: ChatSession, *, errors: dict[str, str] | None = None
) -> HttpResponse:
    agent = _agent(request)
    thread = chat_messages(chat=chat)
    in_chat = chat.status == ChatStatus.ACTIVE and chat.agent_id == agent.pk
    return render(
        request,
        "support/agent/chat.html",
        {
            "chat": chat,
            "thread": thread,
            "last_id": thread[-1].pk if thread else 0,
            "context": chat_customer_context(chat=chat),
            "canned": canned_replies(category=chat.topic),
            "lang": current_language(),
            "in_chat": in_chat,
            "can_manage": chat.status == ChatStatus.ACTIVE
            and (in_chat or agent.role in (Role.SUPERVISOR, Role.OPERATOR)),
            "position": chat_queue_position(chat=chat),
            "errors": errors or {},
            "body": request.POST.get("body", "") if errors else "",
        },
        status=400 if errors else 200,
    )


@staff_required
@require_GET
def agent_chat(request: HttpRequest, chat_id: str) -> HttpResponse:
    chat = _chat(request, chat_id)
    chat_view_record(chat=chat, viewer=_agent(request))
    return _render_chat(request, chat)


@staff_required
@require_POST
def agent_chat_accept(request: HttpRequest, chat_id: str) -> HttpResponse:
    chat = _chat(request, chat_id)
    try:
        chat_accept(chat=chat, agent=_agent(request))
    except OkpayError as exc:
        flash.error(request, str(exc.message))
        return redirect("support:agent_chats")
    return redirect("support:agent_chat", chat_id=chat.public_id)


@staff_required
@require_POST
def agent_chat_send(request: HttpRequest, chat_id: str) -> HttpResponse:
    chat = _chat(request, chat_id)
    try:
        chat_message_send(chat=chat, author=_agent(request), body=request.POST.get("body", ""))
    except OkpayError as exc:
        return _render_chat(request, chat, errors={"body": str(exc.message)})
    return redirect("support:agent_chat", chat_id=chat.public_id)


@staff_required
@require_POST
def agent_chat_end(request: HttpRequest, chat_id: str) -> HttpResponse:
    chat = _chat(request, chat_id)
    try:
        ended = chat_end(chat=chat, by=_agent(request))
    except OkpayError as exc:
        flash.error(request, str(exc.message))
    else:
        number = ended.ticket.number if ended.ticket else ""
        flash.success(request, _("Chat ended. The transcript is in ticket %(n)s.") % {"n": number})
    return redirect("support:agent_chat", chat_id=chat.public_id)


@staff_required
@require_POST
def agent_chat_transfer(request: HttpRequest, chat_id: str) -> HttpResponse:
    chat = _chat(request, chat_id)
    try:
        chat_transfer(chat=chat, agent=_agent(request))
    except OkpayError as exc:
        flash.error(request, str(exc.message))
        return redirect("support:agent_chat", chat_id=chat.public_id)
    flash.success(request, _("The chat is back in the queue."))
    return redirect("support:agent_chats")


@staff_required
@require_POST
def agent_chat_verify(request: HttpRequest, chat_id: str) -> HttpResponse:
    chat = _chat(request, chat_id)
    try:
        chat_verify_customer(
            chat=chat, agent=_agent(request), code=request.POST.get("code", "")[:20]
        )
    except OkpayError as exc:
        return _render_chat(request, chat, errors={"code": str(exc.message)})
    flash.success(request, _("Identity verified."))
    return redirect("support:agent_chat", chat_id=chat.public_id)
