"""The JSON API: one NinjaAPI, OpenAPI at /api/docs, one error shape for every failure.

Every answer that is not a success has the body ``{"error": {"code", "message", "field"}}``:
OkpayError subclasses, request validation (400 ``invalid_request``, also for malformed JSON),
missing or bad credentials (401 ``unauthenticated``), unknown addresses under /api/ (404
``not_found``), a wrong HTTP method (405 ``method_not_allowed``) and unexpected failures
(500 ``internal_error``, logged with the traceback).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from okpay.errors import OkpayError
from okpay.identity.api import router as auth_router
from okpay.ledger.api import router as ledger_router
from okpay.support.api import router as support_router
from okpay.support.api_callbacks import router as callbacks_router
from okpay.support.api_chat import router as chat_router
from okpay.support.api_inbox import router as inbox_router
from okpay.support.api_tickets import router as tickets_router
from okpay.wallets.api import fees_router
from okpay.wallets.api import router as wallets_router

logger = logging.getLogger(__name__)

HTTP_ERROR_CODES = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    429: "rate_limited",
}
NOT_FOUND_MESSAGE = gettext_lazy(
    "There is no API endpoint at this address. Check the path in /api/docs."
)


class OkpayNinjaAPI(NinjaAPI):
    """NinjaAPI whose URL-level answers (405, unknown paths) use the API's error shape too.

    django-ninja answers a wrong method with a plain-text 405 and leaves unknown paths to
    Django's HTML 404; both happen before any exception handler runs, so the views are
    wrapped here and a catch-all pattern closes the URL list.
    """

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _with_json_errors(pattern.callback)
        urls.append(re_path(r"^.*$", _with_json_errors(_unknown_path), name="unknown-path"))
        return urls


def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    raise Http404(str(NOT_FOUND_MESSAGE))


def _not_found(request: HttpRequest) -> HttpResponse:
    return error_response(request, status=404, code="not_found", message=str(NOT_FOUND_MESSAGE))


def _translate(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    if isinstance(response, HttpResponseNotAllowed):
        allowed = response["Allow"]
        translated = error_response(
            request,
            status=405,
            code="method_not_allowed",
            message=_("This endpoint does not accept this HTTP method. Allowed: %(allowed)s.")
            % {"allowed": allowed},
        )
        translated["Allow"] = allowed
        return translated
    return response


def _with_json_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a URL-level view; ``wraps`` keeps its attributes (django-ninja's csrf_exempt)."""
    if iscoroutinefunction(view):

        @wraps(view)
        async def async_wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                response = await view(request, *args, **kwargs)
            except Http404:
                return _not_found(request)
            return _translate(request, response)

        return markcoroutinefunction(async_wrapper)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _not_found(request)
        return _translate(request, response)

    return wrapper


api = OkpayNinjaAPI(
    title="OKpay API",
    version="1",
    description=(
        "Ledger, wallets and payments. Amounts are integers in minor units. Authenticate "
        "with `Authorization: Bearer <token>`. Every failure answers "
        '`{"error": {"code", "message", "field"}}` with a stable `code`.'
    ),
    urls_namespace="api",
    docs_url="/docs",
)


def error_response(
    request: HttpRequest, *, status: int, code: str, message: str, field: str | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "field": field}}, status=status
    )


@api.exception_handler(OkpayError)
def handle_okpay_error(request: HttpRequest, exc: OkpayError) -> HttpResponse:
    return api.create_response(request, {"error": exc.as_dict()}, status=exc.http_status)


@api.exception_handler(ValidationError)
def handle_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first: dict[str, Any] = exc.errors[0] if exc.errors else {}
    loc = _field_path(first.get("loc", ()))
    if loc:
        message = _validation_message(first)
    else:
        # The body as a whole is missing or is not an object (an empty body, a JSON list).
        message = _("The request body must be a JSON object with the documented fields.")
    return error_response(
        request, status=400, code="invalid_request", message=message, field=".".join(loc) or None
    )


def _field_path(loc: Any) -> list[str]:
    """The input's path without ninja's prefix: ("body", <param>, ...) or ("query", ...).

    Only the leading location and, for a body, the view's parameter name are dropped, so a
    field that happens to be called ``body`` or ``query`` keeps its name.
    """
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
        source = parts.pop(0)
        if source == "body" and parts:
            parts.pop(0)
    return parts


def _validation_message(error: dict[str, Any]) -> str:
    """A translated message for the common pydantic error types, pydantic's own otherwise."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("This field is required."),
        "extra_forbidden": _("This field is not part of the request; remove it."),
        "int_type": _("Enter a whole number (an integer count of minor units)."),
        "int_parsing": _("Enter a whole number (an integer count of minor units)."),
        "int_from_float": _("Enter a whole number (an integer count of minor units)."),
        "string_type": _("Enter text."),
        "bool_type": _("Enter true or false."),
        "list_type": _("Enter a list."),
        "dict_type": _("Enter a JSON object."),
        "json_invalid": _("The request body is not valid JSON."),
    }
    if kind in messages:
        return str(messages[kind])
    if kind == "string_too_short":
        return _("Enter at least %(n)s character(s).") % {"n": ctx.get("min_length", 1)}
    if kind == "string_too_long":
        return _("Enter at most %(n)s characters.") % {"n": ctx.get("max_length", "")}
    if kind == "too_short":
        return _("Send at least %(n)s item(s).") % {"n": ctx.get("min_length", 1)}
    if kind == "too_long":
        return _("Send at most %(n)s items.") % {"n": ctx.get("max_length", "")}
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt", ""))
        return _("Enter a value of at least %(n)s.") % {"n": limit}
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt", ""))
        return _("Enter a value of at most %(n)s.") % {"n": limit}
    return str(error.get("msg") or _("The request is not valid."))


@api.exception_handler(AuthenticationError)
def handle_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request,
        status=401,
        code="unauthenticated",
        message=_("Send a valid API token: Authorization: Bearer <token>."),
    )


@api.exception_handler(HttpError)
def handle_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc.message)
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # django-ninja raises HttpError(400) from the JSON decoder's error.
        message = _("The request body is not valid JSON. Send a JSON object.")
    return error_response(
        request,
        status=exc.status_code,
        code=HTTP_ERROR_CODES.get(exc.status_code, "http_error"),
        message=message,
    )


@api.exception_handler(Http404)
def handle_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(
        request, status=404, code="not_found", message=_("Nothing was found at this address.")
    )


@api.exception_handler(Exception)
def handle_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        request,
        status=500,
        code="internal_error",
        message=_("Something went wrong on our side. Try again later, or contact support."),
    )


api.add_router("/v1/ledger", ledger_router)
api.add_router("/v1/auth", auth_router)
api.add_router("/v1/support", support_router)
api.add_router("/v1/tickets", tickets_router)
api.add_router("/v1/chats", chat_router)
api.add_router("/v1/callbacks", callbacks_router)
api.add_router("/v1/inbox", inbox_router)
api.add_router("/v1", wallets_router)
api.add_router("/v1", fees_router)
