"""The live-chat API, mounted at /api/v1/chats: for clients that cannot keep a WebSocket open.

Authentication as for the tickets API: a personal API token (``Authorization: Bearer``) or
the signed-in session (writes then send ``X-CSRFToken``). A customer starts, reads,
writes to and ends their own chats (anything else is 404 ``chat_not_found``); poll
``GET /{id}/messages?after=<last id>`` for new messages. Agents, supervisors and operators
see the queue and accept chats (``409 chat_already_taken`` when another agent was faster),
read any chat and write to the chats they handle. The WebSocket protocol
(``/ws/support/chat/``, ``/ws/support/agent/``) is described in the README.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Status

from okpay.identity.api import CUSTOMER_AUTH, api_user
from okpay.identity.models import User
from okpay.identity.services import is_support_staff
from okpay.support.errors_chat import ChatNotFound, ChatStaffOnly
from okpay.support.models import ChatSession
from okpay.support.schemas_chat import (
    ChatDetailOut,
    ChatMessageIn,
    ChatMessageOut,
    ChatMessagesOut,
    ChatOut,
    ChatQueueOut,
    ChatReadIn,
    ChatStartIn,
    QueuedChatOut,
)
from okpay.support.selectors_chat import (
    chat_data,
    chat_for_customer,
    chat_for_staff,
    chat_messages,
    chat_open_for_customer,
    chat_queue,
    customer_name,
    message_data,
)
from okpay.support.services.chat import (
    chat_accept,
    chat_end,
    chat_message_send,
    chat_read,
    chat_start,
    chat_view_record,
)
from okpay.support.views import current_language
from okpay.wallets.schemas import ErrorOut

router = Router(tags=["chat"], auth=CUSTOMER_AUTH)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _chat(user: User, chat_id: str) -> ChatSession:
    if is_support_staff(user):
        return chat_for_staff(user=user, public_id=chat_id)
    return chat_for_customer(user=user, public_id=chat_id)


def _detail(chat: ChatSession) -> ChatDetailOut:
    return ChatDetailOut(
        chat=ChatOut(**chat_data(chat)),
        messages=[ChatMessageOut(**message_data(m, chat=chat)) for m in chat_messages(chat=chat)],
    )


@router.post(
    "",
    response={201: ChatDetailOut, **ERRORS},
    summary="Start a chat (customers)",
    description=(
        "Starts a chat with its first message. Inside opening hours with an agent online it "
        "waits in the queue (`status: queued`, `queue_position`). Otherwise it becomes a ticket "
        "at once (`status: missed`, `ticket`, `ticket_due`). `409 chat_already_open` when you "
        "have an open chat (its id is in `error.details.chat`); `403 chat_for_customers` for "
        "staff."
    ),
)
def chat_open(request: HttpRequest, payload: ChatStartIn) -> Status:
    chat = chat_start(
        customer=api_user(request),
        topic=payload.topic,
        body=payload.body,
        transaction_reference=payload.transaction,
        language=current_language(),
    )
    return Status(201, _detail(chat))


@router.get(
    "/current",
    response={200: ChatDetailOut, **ERRORS},
    summary="My open chat with its messages (404 chat_not_found when there is none)",
)
def chat_current(request: HttpRequest) -> ChatDetailOut:
    chat = chat_open_for_customer(user=api_user(request))
    if chat is None:
        raise ChatNotFound()
    return _detail(chat)


@router.get(
    "/queue",
    response={200: ChatQueueOut, **ERRORS},
    summary="Waiting chats, next first (staff)",
)
def chat_queue_list(request: HttpRequest) -> ChatQueueOut:
    if not is_support_staff(api_user(request)):
        raise ChatStaffOnly()
    return ChatQueueOut(
        data=[
            QueuedChatOut(
                chat=ChatOut(**chat_data(row.chat)),
                customer=customer_name(row.chat.customer),
                waiting_since=row.waiting_since,
                waiting_seconds=row.waiting_seconds,
                preview=row.preview,
            )
            for row in chat_queue()
        ]
    )


@router.get(
    "/{chat_id}",
    response={200: ChatDetailOut, **ERRORS},
    summary="One chat with its messages (yours; staff: any, and the view is logged)",
)
def chat_get(request: HttpRequest, chat_id: str) -> ChatDetailOut:
    user = api_user(request)
    chat = _chat(user, chat_id)
    if is_support_staff(user):
        chat_view_record(chat=chat, viewer=user)
    return _detail(chat)


@router.get(
    "/{chat_id}/messages",
    response={200: ChatMessagesOut, **ERRORS},
    summary="Messages after a message id (poll for new ones)",
)
def chat_messages_list(
    request: HttpRequest, chat_id: str, after: Query[int] = 0
) -> ChatMessagesOut:
    chat = _chat(api_user(request), chat_id)
    return ChatMessagesOut(
        data=[
            ChatMessageOut(**message_data(m, chat=chat))
            for m in chat_messages(chat=chat, after_id=max(after, 0))
        ]
    )


@router.post(
    "/{chat_id}/messages",
    response={201: ChatMessageOut, **ERRORS},
    summary="Send a message (the customer, or the agent in the chat)",
    description=(
        "Card, ID and account numbers and codes typed after words such as password or 验证码 "
        "are masked before the message is stored. `409 chat_not_open` once the chat ended; "
        "`403 chat_not_yours` for an agent who is not in the chat."
    ),
)
def chat_message_add(request: HttpRequest, chat_id: str, payload: ChatMessageIn) -> Status:
    user = api_user(request)
    chat = _chat(user, chat_id)
    message = chat_message_send(chat=chat, author=user, body=payload.body)
    return Status(201, ChatMessageOut(**message_data(message, chat=chat)))


@router.post(
    "/{chat_id}/read",
    response={200: ChatOut, **ERRORS},
    summary="Mark the conversation read up to a message",
)
def chat_read_up_to(request: HttpRequest, chat_id: str, payload: ChatReadIn) -> ChatOut:
    user = api_user(request)
    chat = _chat(user, chat_id)
    chat_read(chat=chat, reader=user, message_id=payload.message_id)
    return ChatOut(**chat_data(chat))


@router.post(
    "/{chat_id}/end",
    response={200: ChatOut, **ERRORS},
    summary="End the chat; the conversation is saved in a ticket",
)
def chat_finish(request: HttpRequest, chat_id: str) -> ChatOut:
    user = api_user(request)
    chat = chat_end(chat=_chat(user, chat_id), by=user)
    return ChatOut(**chat_data(chat))


@router.post(
    "/{chat_id}/accept",
    response={200: ChatOut, **ERRORS},
    summary="Take a waiting chat (staff)",
    description="Of two agents accepting at once exactly one wins; the other gets "
    "`409 chat_already_taken`.",
)
def chat_take(request: HttpRequest, chat_id: str) -> ChatOut:
    user = api_user(request)
    if not is_support_staff(user):
        raise ChatStaffOnly()
    chat = chat_accept(chat=chat_for_staff(user=user, public_id=chat_id), agent=user)
    return ChatOut(**chat_data(chat))
