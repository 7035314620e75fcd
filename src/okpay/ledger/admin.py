"""Read-only back-office views of the ledger: rows change only through posting."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from okpay.ledger.models import Account, PendingTransfer, Transfer


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "currency",
        "code",
        "debits_posted",
        "credits_posted",
        "debits_pending",
        "credits_pending",
        "created_at",
    )
    list_filter = ("currency", "code")
    search_fields = ("id",)


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "debit_account",
        "credit_account",
        "amount",
        "currency",
        "code",
        "pending",
        "post_pending_transfer",
        "void_pending_transfer",
        "created_at",
    )
    list_filter = ("currency", "code", "pending", "post_pending_transfer", "void_pending_transfer")
    search_fields = ("id", "debit_account__id", "credit_account__id")
    list_select_related = ("debit_account", "credit_account")


@admin.register(PendingTransfer)
class PendingTransferAdmin(ReadOnlyAdmin):
    list_display = ("transfer", "status", "expires_at", "resolved_at")
    list_filter = ("status",)
    search_fields = ("transfer__id",)
