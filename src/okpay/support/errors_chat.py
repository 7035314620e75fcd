"""Errors of the live chat, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from okpay.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class ChatNotFound(NotFound):
    code = "chat_not_found"
    default_message = _("No chat of yours has this id.")


class ChatAlreadyOpen(Conflict):
    code = "chat_already_open"
    default_message = _("You already have an open chat. Continue it or end it first.")


class ChatAlreadyTaken(Conflict):
    code = "chat_already_taken"
    default_message = _(
        "This chat is no longer waiting: another agent took it or it ended. Pick another one."
    )


class ChatNotOpen(Conflict):
    code = "chat_not_open"
    default_message = _("This chat has ended. Start a new chat or reply on its ticket.")


class ChatNotActive(Conflict):
    code = "chat_not_active"
    default_message = _("This only works while an agent is in the chat.")


class ChatNotYours(PermissionDenied):
    code = "chat_not_yours"
    default_message = _("Another agent handles this chat. Ask them or a supervisor.")


class ChatStaffOnly(PermissionDenied):
    code = "chat_staff_only"
    default_message = _("Only OKpay support staff can do this.")


class ChatForCustomers(PermissionDenied):
    code = "chat_for_customers"
    default_message = _("Live chat is for customers. Staff work chats in the agent console.")


class ChatMessageTooLong(InvalidInput):
    code = "chat_message_too_long"
    default_message = _(
        "A chat message may be at most 2,000 characters. Split it into shorter messages."
    )


class ChatTopicInvalid(InvalidInput):
    code = "chat_topic_invalid"
    default_message = _("Choose what your question is about.")
