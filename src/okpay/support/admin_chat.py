"""Back-office pages for live chats (read only: agents work chats in the chat console, and
every change goes through the chat services). Imported from ``okpay.support.admin``."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from okpay.support.models import ChatMessage, ChatSession


class ChatMessageInline(admin.TabularInline):
    model = ChatMessage
    fields = ("created_at", "sender", "author", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    list_display = ("public_id", "customer", "agent", "status", "topic", "created_at", "ticket")
    list_filter = ("status", "topic")
    search_fields = ("public_id", "customer__email", "agent__email", "ticket__number")
    date_hierarchy = "created_at"
    list_select_related = ("customer", "agent", "ticket")
    readonly_fields = (
        "public_id",
        "customer",
        "agent",
        "status",
        "topic",
        "language",
        "transaction",
        "ticket",
        "customer_read_id",
        "agent_read_id",
        "customer_verified_at",
        "created_at",
        "accepted_at",
        "ended_at",
    )
    inlines = (ChatMessageInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
