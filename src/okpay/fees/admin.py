"""Back office: the fee schedule."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from okpay.fees.models import FeeRule


@admin.register(FeeRule)
class FeeRuleAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "transaction_type",
        "funding_source",
        "from_country",
        "to_country",
        "currency",
        "amount_from_minor",
        "amount_to_minor",
        "percent",
        "fixed_minor",
        "minimum_minor",
        "maximum_minor",
        "effective_from",
        "effective_to",
    )
    list_filter = ("transaction_type", "funding_source", "currency", "to_country")
    search_fields = ("name", "from_country", "to_country", "currency")
    fieldsets = (
        (None, {"fields": ("name", "transaction_type", "funding_source")}),
        (_("Applies to"), {"fields": ("from_country", "to_country", "currency")}),
        (_("Amount tier"), {"fields": ("amount_from_minor", "amount_to_minor")}),
        (_("Price"), {"fields": ("percent", "fixed_minor", "minimum_minor", "maximum_minor")}),
        (_("Effective"), {"fields": ("effective_from", "effective_to")}),
    )
