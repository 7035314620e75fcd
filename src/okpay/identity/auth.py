"""Bearer-token authentication for the JSON API.

``ApiTokenAuth`` reads ``Authorization: Bearer <secret>``, looks the secret up with
``token_authenticate`` and asks ``allows`` whether this kind of token may use the endpoint.
On success ``request.auth`` is the ``ApiToken`` (its ``user`` is set for personal tokens).
On any failure it returns None and django-ninja answers 401, which the API's error handler
renders as ``{"error": {"code": "unauthenticated", ...}}``.

A new audience gets its own small subclass (a customer-facing auth accepts personal tokens
of customers) and a router picks the classes it accepts: ``auth=[OperatorTokenAuth()]``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from okpay.identity.models import ApiToken, Role, TokenKind
from okpay.identity.services import token_authenticate


class ApiTokenAuth(HttpBearer):
    """The shared part: parse the header, find a usable token, let the subclass decide."""

    def __call__(self, request: HttpRequest) -> Any | None:
        # HttpBearer.__call__ logs the whole header when the scheme is wrong, which would
        # write a secret into the logs; this parser never logs the header.
        value = request.headers.get(self.header, "")
        scheme, _, secret = value.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = token_authenticate(secret=token)
        if api_token is None or not self.allows(api_token):
            return None
        return api_token

    def allows(self, token: ApiToken) -> bool:
        """Whether this (usable) token may call the endpoints guarded by this class."""
        raise NotImplementedError


class OperatorTokenAuth(ApiTokenAuth):
    """Operators: an operator token, or a personal token of a user whose role is operator."""

    def allows(self, token: ApiToken) -> bool:
        if token.kind == TokenKind.OPERATOR:
            return True
        return (
            token.kind == TokenKind.PERSONAL
            and token.user is not None
            and token.user.role == Role.OPERATOR
        )
