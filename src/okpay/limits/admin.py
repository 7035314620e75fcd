"""Back office: limits and blocked destination countries."""

from django.contrib import admin

from okpay.limits.models import BlockedCountry, LimitRule


@admin.register(LimitRule)
class LimitRuleAdmin(admin.ModelAdmin):
    list_display = (
        "transaction_type",
        "currency",
        "to_country",
        "per_transaction_minor",
        "daily_minor",
        "monthly_minor",
        "name",
    )
    list_filter = ("transaction_type", "currency", "to_country")
    search_fields = ("name", "currency", "to_country")


@admin.register(BlockedCountry)
class BlockedCountryAdmin(admin.ModelAdmin):
    list_display = ("country", "reason", "created_at")
    search_fields = ("country", "reason")
