"""Back office: exchange rates (treasury rates are entered here) and spreads."""

from django.contrib import admin

from okpay.fx.models import FxRate, FxSpread


@admin.register(FxRate)
class FxRateAdmin(admin.ModelAdmin):
    list_display = ("base", "quote", "rate", "source", "as_of", "created_at")
    list_filter = ("source", "quote", "base")
    search_fields = ("quote", "base", "source")
    date_hierarchy = "as_of"
    ordering = ("-as_of", "base", "quote")


@admin.register(FxSpread)
class FxSpreadAdmin(admin.ModelAdmin):
    list_display = (
        "from_currency",
        "to_currency",
        "min_amount_minor",
        "spread_bps",
        "note",
        "updated_at",
    )
    list_filter = ("from_currency", "to_currency")
    search_fields = ("from_currency", "to_currency", "note")
