"""``{% chat_widget %}``: the live-chat launcher and panel on customer pages.

Shown to signed-in customers (the chat) and to guests (a prompt to sign in or open a
ticket); never to support staff, on agent pages, or on the sign-in pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from okpay.identity.models import User
from okpay.identity.services import is_support_staff
from okpay.support.models import TicketCategory
from okpay.support.views import current_language
from okpay.wallets.models import Transaction

register = template.Library()

SIGN_IN_PAGES = frozenset(
    {
        "login",
        "login_2fa",
        "login_new_password",
        "signup",
        "password_forgot",
        "password_reset",
        "step_up",
        "verify_email",
    }
)
RECENT_TRANSACTIONS = 10


def _hidden(request: Any) -> bool:
    if request.path.startswith("/support/agent/"):
        return True
    match = getattr(request, "resolver_match", None)
    return bool(match and match.namespace == "identity" and match.url_name in SIGN_IN_PAGES)


def widget_texts() -> dict[str, str]:
    """The widget's texts for chat-widget.js, in the page language."""
    return {
        "queue": _("You are number %(n)s in the queue. An agent will be with you shortly."),
        "queue_next": _("You are next in the queue."),
        "joined": _("%(name)s joined the chat."),
        "active": _("You are chatting with %(name)s."),
        "typing": _("%(name)s is typing…"),
        "agent": _("The agent"),
        "read": _("Read"),
        "you": _("You"),
        "ended": _("This chat has ended."),
        "saved": _("The conversation is saved in ticket %(n)s."),
        "missed": _("Your message is now ticket %(n)s. We will answer by e-mail."),
        "missed_due": _("Your message is now ticket %(n)s. We will answer by e-mail by %(due)s."),
        "open_ticket": _("Open the ticket"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "closed_now": _("Live chat is closed now. Opening hours: %(hours)s."),
        "closed_now_plain": _("Live chat is closed now."),
        "no_agents": _("No agent is available right now."),
        "offline_hint": _("You can still write to us: your message becomes a ticket."),
        "hours": _("Opening hours: %(hours)s"),
        "suggest_title": _("These articles may answer your question:"),
        "end_confirm": _("End this chat? The conversation is saved in a ticket."),
        "verified": _("Your identity was verified."),
        "error": _("Something went wrong. Please try again."),
    }


@register.inclusion_tag("support/chat/_widget_body.html", takes_context=True)
def chat_widget(context: template.Context, inline: bool = False) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or _hidden(request) or is_support_staff(user):
        return {"show": False}
    if context.get("chat_page") and not inline:
        return {"show": False}  # the chat page shows the panel in its content
    signed_in = isinstance(user, User) and user.is_authenticated
    lang = current_language()
    result: dict[str, Any] = {
        "show": True,
        "inline": inline,
        "signed_in": signed_in,
        "lang": lang,
        "login_url": f"{reverse('identity:login')}?{urlencode({'next': request.get_full_path()})}",
        "ticket_url": reverse("support:ticket_new"),
        "contact_url": reverse("support:contact"),
    }
    if signed_in:
        assert isinstance(user, User)
        result.update(
            topics=TicketCategory.choices,
            transactions=list(
                Transaction.objects.filter(user=user).order_by("-created_at", "-id")[
                    :RECENT_TRANSACTIONS
                ]
            ),
            texts=widget_texts(),
            support_code_url=reverse("identity:support_code"),
            articles_api=reverse("api:articles"),
        )
    return result
