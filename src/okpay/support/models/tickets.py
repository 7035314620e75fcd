"""Tickets: requests from customers by web, e-mail and chat, with replies, notes and SLA.

A ticket belongs to a signed-in user or to a guest e-mail address (confirmed by a link
before agents see it). Every change writes a ``TicketEvent`` with the acting user.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.support.models.helpcenter import pick


class TicketCategory(models.TextChoices):
    ACCOUNT = "account", _("Account and sign-in")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    TOPUP_DELAYED = "topup_delayed", _("Top-up delayed")
    FEES = "fees", _("Fees")
    INTERNATIONAL_TRANSFER = "international_transfer", _("International transfer")
    SECURITY = "security", _("Security or fraud")
    OTHER = "other", _("Other")


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_ORDER = [p.value for p in TicketPriority]


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Waiting for your reply")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.OPEN,
    TicketStatus.PENDING_CUSTOMER,
    TicketStatus.ON_HOLD,
)


class TicketTeam(models.TextChoices):
    GENERAL = "general", _("General support")
    PAYMENTS = "payments", _("Payments")
    SECURITY = "security", _("Security")


class Via(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")
    CALLBACK = "callback", _("Callback")
    API = "api", _("API")


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=16, unique=True, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_tickets",
        verbose_name=_("requester"),
    )
    requester_email = models.EmailField(_("requester e-mail"), max_length=254)
    requester_name = models.CharField(_("requester name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    confirmed_at = models.DateTimeField(
        _("confirmed"),
        null=True,
        blank=True,
        help_text=_("When a guest confirmed the e-mail address; set at once for users."),
    )
    subject = models.CharField(_("subject"), max_length=200)
    category = models.CharField(
        _("category"), max_length=32, choices=TicketCategory.choices, default=TicketCategory.OTHER
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.WEB)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    team = models.CharField(
        _("team"), max_length=16, choices=TicketTeam.choices, default=TicketTeam.GENERAL
    )
    transactions = models.ManyToManyField(
        "wallets.Transaction",
        blank=True,
        related_name="support_tickets",
        verbose_name=_("linked transactions"),
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_response_escalated_at = models.DateTimeField(null=True, blank=True)
    resolution_escalated_at = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(
        _("SLA paused"),
        null=True,
        blank=True,
        help_text=_("Set while the ticket waits for the customer or is on hold."),
    )
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    csat_rating = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    csat_comment = models.TextField(_("satisfaction comment"), blank=True)
    csat_at = models.DateTimeField(_("rated"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    email_message_id = models.CharField(
        _("thread Message-ID"), max_length=255, blank=True, db_index=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects: ClassVar[models.Manager[Ticket]] = models.Manager()

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes: ClassVar = [
            models.Index(fields=["status", "priority"], name="support_ticket_queue_idx"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values), name="support_ticket_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=TicketPriority.values),
                name="support_ticket_priority_valid",
            ),
            models.CheckConstraint(
                condition=Q(csat_rating__isnull=True)
                | (Q(csat_rating__gte=1) & Q(csat_rating__lte=5)),
                name="support_ticket_csat_range",
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=models.F("id")),
                name="support_ticket_not_merged_into_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def can_rate(self) -> bool:
        return self.status in (TicketStatus.SOLVED, TicketStatus.CLOSED) and self.csat_at is None


class MessageKind(models.TextChoices):
    PUBLIC = "public", _("Public reply")
    INTERNAL = "internal", _("Internal note")


class TicketMessage(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(
        _("kind"), max_length=10, choices=MessageKind.choices, default=MessageKind.PUBLIC
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    author_email = models.EmailField(_("author e-mail"), max_length=254, blank=True)
    from_staff = models.BooleanField(_("from staff"), default=False)
    body = models.TextField(_("text"))
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.WEB)
    email_message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["email_message_id"],
                condition=~Q(email_message_id=""),
                name="support_message_email_id_unique",
            ),
            models.CheckConstraint(
                condition=~Q(kind="internal") | Q(from_staff=True),
                name="support_message_internal_is_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} #{self.pk} {self.kind}"

    @property
    def is_internal(self) -> bool:
        return self.kind == MessageKind.INTERNAL


def attachment_storage() -> Storage:
    return FileSystemStorage(location=str(settings.OKPAY_SUPPORT_ATTACHMENT_DIR))


class TicketAttachment(models.Model):
    """An image or PDF; the type is taken from the content, never from the name."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        TicketMessage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), storage=attachment_storage, upload_to="tickets/%Y/%m/")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class TicketEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    CONFIRMED = "confirmed", _("E-mail confirmed")
    REPLIED = "replied", _("Public reply")
    NOTE = "note", _("Internal note")
    STATUS = "status", _("Status changed")
    PRIORITY = "priority", _("Priority changed")
    CATEGORY = "category", _("Category changed")
    ASSIGNED = "assigned", _("Assigned")
    TEAM = "team", _("Team changed")
    ATTACHMENT = "attachment", _("Attachment added")
    TRANSACTION_LINKED = "transaction_linked", _("Transaction linked")
    MERGED = "merged", _("Merged")
    RATED = "rated", _("Rated")
    ESCALATED = "escalated", _("Escalated")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    SLA_PAUSED = "sla_paused", _("SLA timer paused")
    SLA_RESUMED = "sla_resumed", _("SLA timer resumed")
    RATING_REQUESTED = "rating_requested", _("Rating requested")
    CHAT = "chat", _("Chat transcript saved")
    CALLBACK = "callback", _("Callback")


class TicketEvent(models.Model):
    """One line of a ticket's history: who changed what, and when."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=TicketEventKind.choices)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class SlaPolicy(models.Model):
    """Targets in business hours; the most specific active policy for a ticket applies."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.CharField(
        _("priority"), max_length=8, choices=TicketPriority.choices, blank=True
    )
    category = models.CharField(
        _("category"), max_length=32, choices=TicketCategory.choices, blank=True
    )
    first_response_hours = models.PositiveIntegerField(_("first response (business hours)"))
    resolution_hours = models.PositiveIntegerField(_("resolution (business hours)"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["priority", "category"],
                condition=Q(active=True),
                name="support_sla_one_active_per_scope",
            ),
            models.CheckConstraint(
                condition=Q(first_response_hours__gt=0) & Q(resolution_hours__gt=0),
                name="support_sla_hours_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """A day without business hours (the support team's public holidays)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ("date",)
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class SlaBreach(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_breaches")
    target = models.CharField(_("target"), max_length=16, choices=SlaTarget.choices)
    due_at = models.DateTimeField(_("due"))
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ("-recorded_at", "-id")
        verbose_name = _("SLA breach")
        verbose_name_plural = _("SLA breaches")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ticket", "target"], name="support_sla_breach_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target}"


class CannedReply(models.Model):
    title = models.CharField(_("title"), max_length=100)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"))
    category = models.CharField(
        _("category"), max_length=32, choices=TicketCategory.choices, blank=True
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ("title",)
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return self.title

    def body(self, language: str) -> str:
        return pick(self.body_zh, self.body_en, language)[0]
