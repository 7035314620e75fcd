from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from okpay.wallets.models import Payee, Quote, Transaction, TransactionStatusChange


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusChangeInline(ReadOnlyMixin, admin.TabularInline[TransactionStatusChange, Transaction]):
    model = TransactionStatusChange
    fields = ("at", "from_status", "to_status", "reason")
    readonly_fields = fields
    extra = 0


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyMixin, admin.ModelAdmin[Transaction]):
    list_display = (
        "reference",
        "user",
        "type",
        "status",
        "amount_minor",
        "currency",
        "fee_minor",
        "failure_code",
        "created_at",
    )
    list_filter = ("type", "status", "currency", "failure_code")
    search_fields = ("reference", "user__email", "rail_reference", "client_reference")
    date_hierarchy = "created_at"
    inlines = (StatusChangeInline,)
    list_select_related = ("user",)


@admin.register(Payee)
class PayeeAdmin(ReadOnlyMixin, admin.ModelAdmin[Payee]):
    list_display = ("name", "user", "kind", "bank_country", "currency", "iban", "bic", "removed_at")
    list_filter = ("kind", "bank_country", "currency")
    search_fields = ("name", "user__email", "iban", "account_number", "bic")


@admin.register(Quote)
class QuoteAdmin(ReadOnlyMixin, admin.ModelAdmin[Quote]):
    list_display = (
        "id",
        "user",
        "operation",
        "send_amount_minor",
        "send_currency",
        "receive_amount_minor",
        "receive_currency",
        "customer_rate",
        "fee_minor",
        "expires_at",
        "used_at",
    )
    list_filter = ("operation", "send_currency", "receive_currency")
    search_fields = ("user__email",)
