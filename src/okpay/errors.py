"""The one error type every OKpay layer raises for a failure a user can act on.

A subclass names a stable ``code`` (documented, never renamed), an HTTP status and a
translatable message. ``field`` points at the input at fault when there is one. The API
renders it as ``{"error": {"code", "message", "field"}}``; pages show the message beside
the field. ``retryable`` separates "try again later" failures from terminal ones.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class OkpayError(Exception):
    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 400
    default_message: ClassVar[str | Promise] = _("The request could not be completed.")
    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        field: str | None = None,
        code: str | None = None,
        **details: Any,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.field = field
        self.details = details
        if code is not None:
            self.code = code  # type: ignore[misc]
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": str(self.message),
            "field": self.field,
        }
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(OkpayError):
    code = "invalid_input"
    http_status = 400
    default_message = _("Some of the details entered are not valid. Check them and try again.")


class NotFound(OkpayError):
    code = "not_found"
    http_status = 404
    default_message = _("Nothing was found here. Check the address or reference.")


class Conflict(OkpayError):
    code = "conflict"
    http_status = 409
    default_message = _("This conflicts with an earlier request.")


class PermissionDenied(OkpayError):
    code = "permission_denied"
    http_status = 403
    default_message = _("You are not allowed to do this.")


class Unauthenticated(OkpayError):
    code = "unauthenticated"
    http_status = 401
    default_message = _("Sign in or send a valid API token to continue.")


class ServiceUnavailable(OkpayError):
    code = "service_unavailable"
    http_status = 503
    retryable = True
    default_message = _("The service is busy. Nothing was changed; please try again shortly.")
