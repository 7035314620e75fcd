"""Phone callbacks: a customer asks to be called back in a time window about a topic.

Agents work the queue most urgent first: urgent topics (fraud, a locked account), then
large amounts, then by the start of the preferred window and the time of the request.
``urgency`` is set when the request is made, so the queue is one indexed ORDER BY.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.support.models.tickets import Ticket


class CallbackTopic(models.TextChoices):
    SECURITY = "security", _("Suspected fraud or unauthorised payment")
    ACCOUNT_LOCKED = "account_locked", _("Account locked or cannot sign in")
    LARGE_TRANSFER = "large_transfer", _("Large payment or transfer")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    TOPUP_DELAYED = "topup_delayed", _("Top-up delayed")
    INTERNATIONAL_TRANSFER = "international_transfer", _("International transfer")
    FEES = "fees", _("Fees")
    OTHER = "other", _("Other")


class CallbackUrgency(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    LARGE_AMOUNT = 1, _("Large amount")
    URGENT = 2, _("Urgent")


class CallbackStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for a call")
    IN_PROGRESS = "in_progress", _("Agent calling")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_CALLBACK_STATUSES = (CallbackStatus.REQUESTED, CallbackStatus.IN_PROGRESS)


class CallbackOutcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved on the call")
    FOLLOW_UP = "follow_up", _("Needs follow-up (ticket)")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class CallbackRequest(models.Model):
    number = models.CharField(_("number"), max_length=16, unique=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="support_callbacks",
        verbose_name=_("customer"),
    )
    phone = models.CharField(_("phone number"), max_length=20, help_text=_("E.164"))
    window_start = models.DateTimeField(_("call from"))
    window_end = models.DateTimeField(_("call until"))
    topic = models.CharField(_("topic"), max_length=32, choices=CallbackTopic.choices)
    note = models.TextField(_("note"), blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    transaction = models.ForeignKey(
        "wallets.Transaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="support_callbacks",
        verbose_name=_("linked transaction"),
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=CallbackUrgency.choices, default=CallbackUrgency.NORMAL
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=CallbackStatus.choices,
        default=CallbackStatus.REQUESTED,
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agent_callbacks",
        verbose_name=_("agent"),
    )
    attempts = models.PositiveSmallIntegerField(_("call attempts"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=CallbackOutcome.choices, blank=True
    )
    outcome_note = models.TextField(_("outcome notes"), blank=True)
    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
        verbose_name=_("ticket"),
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    objects: ClassVar[models.Manager[CallbackRequest]] = models.Manager()

    class Meta:
        ordering = ("-urgency", "window_start", "created_at", "id")
        verbose_name = _("callback request")
        verbose_name_plural = _("callback requests")
        indexes: ClassVar = [
            models.Index(
                fields=["status", "-urgency", "window_start", "created_at"],
                name="support_callback_queue_idx",
            ),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status__in=CallbackStatus.values),
                name="support_callback_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(window_end__gt=models.F("window_start")),
                name="support_callback_window_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="in_progress") | Q(agent__isnull=False),
                name="support_callback_in_progress_has_agent",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | ~Q(outcome=""),
                name="support_callback_completed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.topic}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CALLBACK_STATUSES
