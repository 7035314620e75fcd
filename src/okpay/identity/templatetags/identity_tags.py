"""Template helpers for the identity pages."""

from __future__ import annotations

from django import template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

register = template.Library()

REASONS: dict[str, Promise] = {
    "wrong_password": _("wrong password"),
    "unknown_email": _("unknown e-mail address"),
    "locked": _("account was locked"),
    "totp_invalid": _("wrong code"),
    "totp_replayed": _("code used twice"),
    "lock_expired": _("lock period over"),
    "password_reset": _("password reset"),
    "operator": _("by an operator"),
    "signed_out": _("signed out"),
    "ended_by_user": _("ended by you"),
    "ended_others": _("other sessions ended"),
    "idle": _("no activity"),
    "expired": _("maximum length reached"),
    "password_changed": _("password changed"),
    "compromised": _("account marked compromised"),
    "support_code_invalid": _("wrong code"),
    "support_code_expired": _("code expired"),
}


@register.filter
def reason_label(code: object) -> str:
    """The reader's words for a reason code stored in a security event."""
    label = REASONS.get(str(code))
    return str(label) if label is not None else str(code)
