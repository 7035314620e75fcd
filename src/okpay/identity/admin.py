from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from okpay.identity.client import client_info
from okpay.identity.models import (
    ApiToken,
    AuditEvent,
    SecurityEvent,
    SupportVerificationCode,
    TotpDevice,
    User,
    UserSession,
)
from okpay.identity.services import account_mark_compromised, account_unlock


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = (
        "email",
        "display_name",
        "role",
        "is_active",
        "email_verified",
        "locked",
        "two_factor",
        "date_joined",
    )
    list_filter = ("role", "is_active", "is_staff", "must_change_password")
    search_fields = ("email", "display_name", "phone")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {"fields": ("display_name", "phone", "country", "preferred_language", "time_zone")},
        ),
        (_("Access"), {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups")}),
        (
            _("Security"),
            {
                "fields": (
                    "email_verified_at",
                    "password_changed_at",
                    "must_change_password",
                    "failed_login_count",
                    "locked_until",
                    "two_factor",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = (
        "email_verified_at",
        "password_changed_at",
        "must_change_password",
        "failed_login_count",
        "locked_until",
        "two_factor",
        "last_login",
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "password1", "password2", "role")}),
    )
    actions = ("unlock_accounts", "mark_compromised")

    @admin.display(boolean=True, description=_("e-mail verified"))
    def email_verified(self, obj: User) -> bool:
        return obj.email_verified_at is not None

    @admin.display(boolean=True, description=_("locked"))
    def locked(self, obj: User) -> bool:
        return obj.is_locked(now=timezone.now())

    @admin.display(boolean=True, description=_("2FA"))
    def two_factor(self, obj: User) -> bool:
        return TotpDevice.objects.filter(user=obj, confirmed_at__isnull=False).exists()

    @admin.action(description=_("Unlock the selected accounts"))
    def unlock_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        client = client_info(request)
        count = sum(
            1
            for user in queryset
            if account_unlock(user=user, actor=actor, reason="operator", client=client)
        )
        self.message_user(
            request,
            ngettext("%(count)d account unlocked.", "%(count)d accounts unlocked.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark compromised: sign out everywhere, require a new password"))
    def mark_compromised(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        client = client_info(request)
        count = 0
        for user in queryset:
            account_mark_compromised(user=user, actor=actor, client=client)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d account marked compromised.",
                "%(count)d accounts marked compromised.",
                count,
            )
            % {"count": count},
            messages.WARNING,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "user", "prefix", "created_at", "expires_at", "revoked_at")
    list_filter = ("kind",)
    readonly_fields = ("prefix", "created_at", "last_used_at")
    exclude = ("digest",)

    def has_add_permission(self, request):
        return False  # tokens are issued by `okpay token create` so the secret is shown once


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "actor", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("object_id", "actor__email")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "user", "ip", "user_agent")
    list_filter = ("kind",)
    search_fields = ("user__email", "ip")
    date_hierarchy = "created_at"
    list_select_related = ("user",)


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdmin):
    list_display = (
        "user",
        "browser",
        "os",
        "ip",
        "created_at",
        "last_seen_at",
        "ended_at",
        "end_reason",
    )
    list_filter = ("end_reason",)
    search_fields = ("user__email", "ip")
    exclude = ("session_key",)
    list_select_related = ("user",)


@admin.register(SupportVerificationCode)
class SupportVerificationCodeAdmin(ReadOnlyAdmin):
    """Who showed a code to support and which agent confirmed it (the code is never shown)."""

    list_display = ("user", "channel", "created_at", "expires_at", "used_at", "verified_by")
    list_filter = ("channel",)
    search_fields = ("user__email", "verified_by__email")
    exclude = ("digest",)
