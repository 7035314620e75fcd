"""Back-office pages for the ticket desk: tickets (read mostly), SLA policies, holidays, canned
replies. Imported from ``okpay.support.admin``."""

from __future__ import annotations

from django.contrib import admin

from okpay.support.models import CannedReply, Holiday, SlaBreach, SlaPolicy, Ticket


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "priority",
        "category",
        "first_response_hours",
        "resolution_hours",
        "active",
    )
    list_filter = ("active", "priority", "category")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name")
    date_hierarchy = "date"


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "active")
    list_filter = ("active", "category")
    search_fields = ("title", "body_zh", "body_en")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ("number", "subject", "requester_email", "status", "priority", "assignee")
    list_filter = ("status", "priority", "category", "team", "via")
    search_fields = ("number", "subject", "requester_email")
    readonly_fields = (
        "number",
        "requester",
        "requester_email",
        "transactions",
        "first_response_due",
        "resolution_due",
        "first_responded_at",
        "solved_at",
        "closed_at",
        "csat_rating",
        "csat_comment",
        "csat_at",
        "merged_into",
        "email_message_id",
        "created_at",
        "updated_at",
    )


@admin.register(SlaBreach)
class SlaBreachAdmin(admin.ModelAdmin):
    list_display = ("ticket", "target", "due_at", "recorded_at")
    list_filter = ("target",)
