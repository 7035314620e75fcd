"""Live chat: a conversation between a signed-in customer and an agent, over WebSocket.

A chat waits in the queue (``queued``) until an agent accepts it (``active``); it ends when
either side leaves (``ended``). A chat nobody could take — outside opening hours, or no
agent accepted it in time — becomes a ticket (``missed``). The transcript of every chat is
saved to its ticket. Message bodies are masked before they are stored.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.support.models.tickets import Ticket, TicketCategory


class ChatStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for an agent")
    ACTIVE = "active", _("In progress")
    ENDED = "ended", _("Ended")
    MISSED = "missed", _("Became a ticket")


OPEN_CHAT_STATUSES = (ChatStatus.QUEUED, ChatStatus.ACTIVE)


class ChatSession(models.Model):
    public_id = models.CharField(_("chat id"), max_length=32, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="support_chats",
        verbose_name=_("customer"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agent_chats",
        verbose_name=_("agent"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=ChatStatus.choices, default=ChatStatus.QUEUED
    )
    topic = models.CharField(
        _("topic"), max_length=32, choices=TicketCategory.choices, default=TicketCategory.OTHER
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    transaction = models.ForeignKey(
        "wallets.Transaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_chats",
        verbose_name=_("linked transaction"),
    )
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chats",
        verbose_name=_("ticket"),
    )
    # Read state: the id of the last message each side has seen.
    customer_read_id = models.BigIntegerField(default=0)
    agent_read_id = models.BigIntegerField(default=0)
    customer_verified_at = models.DateTimeField(
        _("identity verified"),
        null=True,
        blank=True,
        help_text=_("When the agent checked the customer's support verification code."),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects: ClassVar[models.Manager[ChatSession]] = models.Manager()

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        indexes: ClassVar = [
            models.Index(fields=["status", "created_at"], name="support_chat_queue_idx"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status__in=ChatStatus.values), name="support_chat_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(agent__isnull=False),
                name="support_chat_active_has_agent",
            ),
            # A customer has at most one open chat at a time.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status__in=["queued", "active"]),
                name="support_chat_one_open_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"chat {self.public_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CHAT_STATUSES


class ChatSender(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("OKpay")


class ChatMessage(models.Model):
    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(_("from"), max_length=8, choices=ChatSender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ("id",)
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(sender__in=ChatSender.values), name="support_chat_sender_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.pk} {self.sender}"
