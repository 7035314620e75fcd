from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from okpay.support.markup import render_markdown
from okpay.support.models import (
    Article,
    ArticleStep,
    ArticleVote,
    Category,
    OfficialChannel,
    Synonym,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_zh", "name_en", "order")
    list_editable = ("order",)
    prepopulated_fields = {"slug": ("name_en",)}


class StepInline(admin.TabularInline):
    model = ArticleStep
    extra = 1
    fields = ("position", "text_zh", "text_en", "image", "image_alt_zh", "image_alt_en")


class MarkdownPreviewMedia:
    js = ("support/admin-preview.js",)
    css = {"all": ("support/admin-preview.css",)}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Markdown bodies get a live preview pane (support/admin-preview.js posts the text to
    the staff-only preview endpoint) and a saved-version preview in read-only fields."""

    list_display = (
        "slug",
        "title_zh",
        "title_en",
        "category",
        "published",
        "helpful",
        "not_helpful",
        "updated_at",
    )
    list_filter = ("published", "category")
    search_fields = ("slug", "title_zh", "title_en", "keywords_zh", "keywords_en")
    prepopulated_fields = {"slug": ("title_en",)}
    filter_horizontal = ("related",)
    inlines = (StepInline,)
    readonly_fields = ("preview_zh", "preview_en", "updated_at")
    fieldsets = (
        (None, {"fields": ("slug", "category", "order", "published", "related")}),
        (
            _("Chinese"),
            {"fields": ("title_zh", "summary_zh", "keywords_zh", "body_zh", "preview_zh")},
        ),
        (
            _("English"),
            {"fields": ("title_en", "summary_en", "keywords_en", "body_en", "preview_en")},
        ),
        (None, {"fields": ("updated_at",)}),
    )
    Media = MarkdownPreviewMedia

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return (
            super()
            .get_queryset(request)
            .select_related("category")
            .annotate(
                n_helpful=Count("votes", filter=Q(votes__helpful=True)),
                n_not_helpful=Count("votes", filter=Q(votes__helpful=False)),
            )
        )

    @admin.display(description=_("helpful"), ordering="n_helpful")
    def helpful(self, obj: Any) -> int:
        return int(obj.n_helpful)

    @admin.display(description=_("not helpful"), ordering="n_not_helpful")
    def not_helpful(self, obj: Any) -> int:
        return int(obj.n_not_helpful)

    @admin.display(description=_("saved version (Chinese)"))
    def preview_zh(self, obj: Article) -> SafeString:
        return format_html('<div class="md-preview">{}</div>', render_markdown(obj.body_zh or ""))

    @admin.display(description=_("saved version (English)"))
    def preview_en(self, obj: Article) -> SafeString:
        return format_html('<div class="md-preview">{}</div>', render_markdown(obj.body_en or ""))


@admin.register(ArticleVote)
class ArticleVoteAdmin(admin.ModelAdmin):
    list_display = ("article", "helpful", "user", "created_at")
    list_filter = ("helpful",)
    readonly_fields = ("article", "user", "session_key", "helpful", "created_at", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ("terms", "active", "updated_at")
    list_editable = ("active",)
    search_fields = ("terms",)


@admin.register(OfficialChannel)
class OfficialChannelAdmin(admin.ModelAdmin):
    # Links typed without a scheme are web addresses of ours: https, never http.
    formfield_overrides: ClassVar = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "name_zh",
        "name_en",
        "kind",
        "platform",
        "value",
        "response_en",
        "order",
        "active",
    )
    list_filter = ("kind", "platform", "active")
    list_editable = ("order", "active")
    search_fields = ("value", "name_zh", "name_en")
    fieldsets = (
        (None, {"fields": ("kind", "platform", "value", "url", "order", "active")}),
        (_("Names"), {"fields": ("name_zh", "name_en")}),
        (_("Hours"), {"fields": ("hours_zh", "hours_en", "time_zone")}),
        (
            _("What to expect"),
            {"fields": ("response_zh", "response_en", "best_for_zh", "best_for_en")},
        ),
    )


from okpay.support import admin_callbacks, admin_chat, admin_tickets  # noqa: E402, F401
