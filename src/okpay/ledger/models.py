"""Double-entry ledger with TigerBeetle's semantics.

An ``Account`` holds four running totals that only posting changes. A ``Transfer`` is an
immutable row (database triggers refuse UPDATE and DELETE). A pending (two-phase) transfer
gets a ``PendingTransfer`` row whose status moves once, from ``pending`` to ``posted``,
``voided`` or ``expired`` (a trigger refuses any other move).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# Balances are 64-bit signed integers in the database: the largest value a total may reach.
AMOUNT_MAX = 2**63 - 1
ID_MAX_LENGTH = 64


class Account(models.Model):
    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH)
    currency = models.CharField(_("currency"), max_length=3)
    code = models.CharField(_("code"), max_length=32, help_text=_("The account's purpose."))
    debits_must_not_exceed_credits = models.BooleanField(default=False)
    credits_must_not_exceed_debits = models.BooleanField(default=False)
    debits_pending = models.BigIntegerField(default=0)
    debits_posted = models.BigIntegerField(default=0)
    credits_pending = models.BigIntegerField(default=0)
    credits_posted = models.BigIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        indexes: ClassVar = [models.Index(fields=["code", "currency"])]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(debits_pending__gte=0)
                & Q(debits_posted__gte=0)
                & Q(credits_pending__gte=0)
                & Q(credits_posted__gte=0),
                name="ledger_account_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(
                    debits_must_not_exceed_credits=True, credits_must_not_exceed_debits=True
                ),
                name="ledger_account_flags_exclusive",
            ),
            models.CheckConstraint(
                condition=Q(debits_must_not_exceed_credits=False)
                | Q(credits_posted__gte=F("debits_posted") + F("debits_pending")),
                name="ledger_account_debits_within_credits",
            ),
            models.CheckConstraint(
                condition=Q(credits_must_not_exceed_debits=False)
                | Q(debits_posted__gte=F("credits_posted") + F("credits_pending")),
                name="ledger_account_credits_within_debits",
            ),
            models.CheckConstraint(condition=~Q(id=""), name="ledger_account_id_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.currency})"

    @property
    def balance(self) -> int:
        """Posted credits minus posted debits (positive for a funded customer wallet)."""
        return self.credits_posted - self.debits_posted

    @property
    def flags(self) -> list[str]:
        names = []
        if self.debits_must_not_exceed_credits:
            names.append("debits_must_not_exceed_credits")
        if self.credits_must_not_exceed_debits:
            names.append("credits_must_not_exceed_debits")
        return names


class Transfer(models.Model):
    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH)
    debit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="debit_transfers", db_index=False
    )
    credit_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="credit_transfers", db_index=False
    )
    amount = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    code = models.CharField(_("code"), max_length=32)
    pending = models.BooleanField(default=False)
    post_pending_transfer = models.BooleanField(default=False)
    void_pending_transfer = models.BooleanField(default=False)
    linked = models.BooleanField(default=False)
    # At most one post or void per pending transfer: a partial unique index (below), so
    # plain transfers add no entry to it.
    pending_transfer = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_column="pending_id",
        db_index=False,
        related_name="resolutions",
    )
    timeout_seconds = models.PositiveIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("ledger transfer")
        verbose_name_plural = _("ledger transfers")
        indexes: ClassVar = [
            models.Index(fields=["debit_account", "created_at", "id"], name="ledger_tr_debit_idx"),
            models.Index(
                fields=["credit_account", "created_at", "id"], name="ledger_tr_credit_idx"
            ),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["pending_transfer"],
                condition=Q(pending_transfer__isnull=False),
                name="ledger_transfer_one_resolution",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="ledger_transfer_amount_positive"
            ),
            models.CheckConstraint(condition=~Q(id=""), name="ledger_transfer_id_not_empty"),
            models.CheckConstraint(
                condition=~Q(debit_account=F("credit_account")),
                name="ledger_transfer_accounts_different",
            ),
            models.CheckConstraint(
                condition=(
                    Q(pending=False, post_pending_transfer=False, void_pending_transfer=False)
                    | Q(pending=True, post_pending_transfer=False, void_pending_transfer=False)
                    | Q(pending=False, post_pending_transfer=True, void_pending_transfer=False)
                    | Q(pending=False, post_pending_transfer=False, void_pending_transfer=True)
                ),
                name="ledger_transfer_phase_flags_exclusive",
            ),
            models.CheckConstraint(
                condition=Q(
                    post_pending_transfer=False,
                    void_pending_transfer=False,
                    pending_transfer__isnull=True,
                )
                | (
                    (Q(post_pending_transfer=True) | Q(void_pending_transfer=True))
                    & Q(pending_transfer__isnull=False)
                ),
                name="ledger_transfer_pending_id_iff_post_or_void",
            ),
            models.CheckConstraint(
                condition=Q(pending=True) | Q(timeout_seconds=0),
                name="ledger_transfer_timeout_only_pending",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.id}: {self.debit_account_id} → {self.credit_account_id} "
            f"{self.amount} {self.currency}"
        )

    @property
    def pending_id(self) -> str | None:
        return self.pending_transfer_id

    @property
    def flags(self) -> list[str]:
        return [
            name
            for name in ("linked", "pending", "post_pending_transfer", "void_pending_transfer")
            if getattr(self, name)
        ]


class PendingStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    POSTED = "posted", _("Posted")
    VOIDED = "voided", _("Voided")
    EXPIRED = "expired", _("Expired")


class PendingTransfer(models.Model):
    """The one mutable fact about a pending transfer: whether it is still pending."""

    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, primary_key=True, related_name="pending_state"
    )
    status = models.CharField(
        max_length=8, choices=PendingStatus.choices, default=PendingStatus.PENDING
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pending transfer")
        verbose_name_plural = _("pending transfers")
        indexes: ClassVar = [
            models.Index(fields=["status", "expires_at"], name="ledger_pending_due_idx")
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in PendingStatus]),
                name="ledger_pending_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=PendingStatus.PENDING, resolved_at__isnull=True)
                | (~Q(status=PendingStatus.PENDING) & Q(resolved_at__isnull=False)),
                name="ledger_pending_resolved_at_iff_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.status}"
