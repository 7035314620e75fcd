"""The customer-facing record of money operations.

A ``Transaction`` is what a user sees in the history; the money itself moves in the
ledger (``ledger_transfer_ids``). Its status changes are kept in ``TransactionStatusChange``.

References look like ``OK2611290001AB``: ``OK``, the UTC date as YYMMDD, a per-day
sequence of at least four digits (``ReferenceCounter``; the 10,000th reference of a day
gets five digits) and two random capital letters so that neighbouring references cannot be
guessed from each other. They are unique (database constraint).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from okpay.wallets.failures import FailureCode


class TransactionType(models.TextChoices):
    DEPOSIT = "deposit", _("Top-up")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    P2P_SEND = "p2p_send", _("Money sent")
    P2P_RECEIVE = "p2p_receive", _("Money received")
    INTERNATIONAL_TRANSFER = "international_transfer", _("International transfer")
    CONVERSION = "conversion", _("Conversion")
    FEE = "fee", _("Fee")
    REFUND = "refund", _("Refund")


class TransactionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    RETURNED = "returned", _("Returned")


OPEN_STATUSES = (TransactionStatus.PENDING, TransactionStatus.PROCESSING)
FAILED_STATUSES = (TransactionStatus.FAILED, TransactionStatus.RETURNED)


class FundingSource(models.TextChoices):
    WALLET = "wallet", _("OKpay wallet")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CARD = "card", _("Card")


class ReferenceCounter(models.Model):
    """The last sequence number handed out on one day (UTC)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Transaction(models.Model):
    reference = models.CharField(_("reference"), max_length=24, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="wallet_transactions",
        verbose_name=_("user"),
    )
    type = models.CharField(_("type"), max_length=32, choices=TransactionType.choices)
    status = models.CharField(_("status"), max_length=16, choices=TransactionStatus.choices)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    fee_minor = models.BigIntegerField(_("fee (minor units)"), default=0)
    fee_currency = models.CharField(_("fee currency"), max_length=3, blank=True)
    fee_rule_id = models.BigIntegerField(_("fee rule"), null=True, blank=True)
    fx_rate = models.DecimalField(
        _("exchange rate"), max_digits=24, decimal_places=12, null=True, blank=True
    )
    receive_amount_minor = models.BigIntegerField(
        _("amount received (minor units)"), null=True, blank=True
    )
    receive_currency = models.CharField(_("currency received"), max_length=3, blank=True)
    funding_source = models.CharField(
        _("funding source"), max_length=16, choices=FundingSource.choices, blank=True
    )
    rail = models.CharField(_("rail"), max_length=32, blank=True)
    rail_reference = models.CharField(_("rail reference"), max_length=64, blank=True)
    rail_code = models.CharField(
        _("rail answer code"), max_length=64, blank=True, help_text=_("e.g. card_declined")
    )
    recipient = models.JSONField(_("recipient"), default=dict, blank=True)
    counterparty = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counterparty_of",
        verbose_name=_("counterparty transaction"),
    )
    quote = models.ForeignKey(
        "wallets.Quote", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payee = models.ForeignKey(
        "wallets.Payee", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ledger_transfer_ids = models.JSONField(_("ledger transfers"), default=list, blank=True)
    failure_code = models.CharField(
        _("failure code"),
        max_length=32,
        blank=True,
        choices=[(c.value, c.value) for c in FailureCode],
    )
    eta = models.DateTimeField(_("expected arrival"), null=True, blank=True)
    rail_deadline = models.DateTimeField(_("rail deadline"), null=True, blank=True)
    client_reference = models.CharField(_("client reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["user", "-created_at", "-id"], name="wallets_txn_user_idx"),
            models.Index(fields=["status", "eta"], name="wallets_txn_due_idx"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["user", "client_reference"],
                condition=~Q(client_reference=""),
                name="wallets_txn_client_reference_unique",
            ),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="wallets_txn_amount_pos"),
            models.CheckConstraint(condition=Q(fee_minor__gte=0), name="wallets_txn_fee_not_neg"),
            models.CheckConstraint(
                condition=Q(receive_amount_minor__isnull=True) | Q(receive_amount_minor__gt=0),
                name="wallets_txn_receive_pos",
            ),
            models.CheckConstraint(
                condition=Q(fx_rate__isnull=True) | Q(fx_rate__gt=0),
                name="wallets_txn_rate_pos",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TransactionStatus.values), name="wallets_txn_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(type__in=TransactionType.values), name="wallets_txn_type_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status__in=FAILED_STATUSES) & ~Q(failure_code=""))
                | (~Q(status__in=FAILED_STATUSES) & Q(failure_code="")),
                name="wallets_txn_failure_code_iff_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.type} {self.amount_minor} {self.currency} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TransactionStatusChange(models.Model):
    transaction = models.ForeignKey(
        Transaction, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=16, choices=TransactionStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=TransactionStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering: ClassVar = ["at", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(to_status__in=TransactionStatus.values),
                name="wallets_status_change_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class PayeeKind(models.TextChoices):
    OWN_BANK_ACCOUNT = "own_bank_account", _("My bank account")
    INTERNATIONAL = "international", _("International recipient")


class Payee(models.Model):
    """A saved bank account: the user's own (withdrawals) or a recipient abroad."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payees"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PayeeKind.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    name = models.CharField(_("account holder"), max_length=140)
    address = models.CharField(_("address"), max_length=255, blank=True)
    bank_country = models.CharField(_("bank country"), max_length=2)
    currency = models.CharField(_("currency"), max_length=3)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    account_number = models.CharField(_("account number"), max_length=34, blank=True)
    bic = models.CharField(_("SWIFT/BIC"), max_length=11, blank=True)
    created_at = models.DateTimeField(_("created"))
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        verbose_name = _("payee")
        verbose_name_plural = _("payees")
        ordering: ClassVar = ["label", "name", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=~Q(iban="") | (~Q(account_number="") & ~Q(bic="")),
                name="wallets_payee_iban_or_account_bic",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=PayeeKind.values), name="wallets_payee_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.name} ({self.iban or self.account_number})"

    def snapshot(self) -> dict[str, str]:
        return {
            "name": self.name,
            "address": self.address,
            "bank_country": self.bank_country,
            "iban": self.iban,
            "account_number": self.account_number,
            "bic": self.bic,
        }


class AmountSide(models.TextChoices):
    SEND = "send", _("Amount to send")
    RECEIVE = "receive", _("Amount to receive")


class Quote(models.Model):
    """A rate and fee locked for ``OKPAY_QUOTE_TTL_SECONDS``; used at most once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quotes"
    )
    operation = models.CharField(_("operation"), max_length=32, choices=TransactionType.choices)
    funding_source = models.CharField(_("funding source"), max_length=16, blank=True)
    to_country = models.CharField(_("destination country"), max_length=2, blank=True)
    amount_side = models.CharField(_("amount given as"), max_length=8, choices=AmountSide.choices)
    send_currency = models.CharField(_("send currency"), max_length=3)
    send_amount_minor = models.BigIntegerField(_("send amount (minor units)"))
    receive_currency = models.CharField(_("receive currency"), max_length=3)
    receive_amount_minor = models.BigIntegerField(_("receive amount (minor units)"))
    mid_rate = models.DecimalField(_("mid rate"), max_digits=24, decimal_places=12)
    customer_rate = models.DecimalField(_("customer rate"), max_digits=24, decimal_places=12)
    spread_bps = models.IntegerField(_("spread (basis points)"), default=0)
    rate_source = models.CharField(_("rate source"), max_length=32, blank=True)
    rate_as_of = models.DateTimeField(_("rate as of"), null=True, blank=True)
    fee_minor = models.BigIntegerField(_("fee (minor units)"), default=0)
    fee_currency = models.CharField(_("fee currency"), max_length=3)
    fee_rule_id = models.BigIntegerField(_("fee rule"), null=True, blank=True)
    fee_rule_name = models.CharField(_("fee rule name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"))
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(send_amount_minor__gt=0) & Q(receive_amount_minor__gt=0),
                name="wallets_quote_amounts_pos",
            ),
            models.CheckConstraint(condition=Q(fee_minor__gte=0), name="wallets_quote_fee_not_neg"),
            models.CheckConstraint(
                condition=Q(mid_rate__gt=0) & Q(customer_rate__gt=0),
                name="wallets_quote_rates_pos",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"quote {self.pk}: {self.send_amount_minor} {self.send_currency} → "
            f"{self.receive_amount_minor} {self.receive_currency}"
        )

    @property
    def total_debit_minor(self) -> int:
        return self.send_amount_minor + self.fee_minor


class IdempotencyRecord(models.Model):
    """The stored answer of one API request made with an ``Idempotency-Key`` header.

    A row is written (``status_code`` null: in progress) before the operation runs, and
    filled with the response in the same database transaction as the operation. Rows are
    kept ``OKPAY_IDEMPOTENCY_HOURS`` (24) hours.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    endpoint = models.CharField(_("endpoint"), max_length=200)
    request_hash = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    body = models.TextField(_("response body"), blank=True)  # the exact JSON text sent
    created_at = models.DateTimeField(_("created"), db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "key"], name="wallets_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.endpoint} {self.status_code or '…'}"
