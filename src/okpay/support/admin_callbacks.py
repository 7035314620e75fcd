"""Back-office page for phone callback requests (read mostly: agents work them in the
support workspace). Imported from ``okpay.support.admin``."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from okpay.support.models import CallbackRequest


@admin.register(CallbackRequest)
class CallbackRequestAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "requester",
        "topic",
        "urgency",
        "status",
        "window_start",
        "agent",
        "attempts",
        "outcome",
    )
    list_filter = ("status", "urgency", "topic", "outcome")
    search_fields = ("number", "requester__email", "phone")
    date_hierarchy = "window_start"
    list_select_related = ("requester", "agent")
    readonly_fields = (
        "number",
        "requester",
        "phone",
        "window_start",
        "window_end",
        "topic",
        "note",
        "language",
        "transaction",
        "urgency",
        "status",
        "agent",
        "attempts",
        "outcome",
        "outcome_note",
        "ticket",
        "created_at",
        "claimed_at",
        "completed_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
