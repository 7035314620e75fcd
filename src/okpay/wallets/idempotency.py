"""``Idempotency-Key`` for the money POSTs of the API (Stripe's semantics).

- A key is kept ``OKPAY_IDEMPOTENCY_HOURS`` (24) hours per user.
- Same key + same request (endpoint and JSON body, compared after parsing) → the first
  response again, with the same HTTP status and body; nothing runs twice.
- Same key + a different request → 409 ``idempotency_error``.
- Two requests with the same key at the same time: the first one claims the key (a row
  committed before the operation runs, unique per user and key); the other one gets
  409 ``idempotency_error`` at once and may retry after a moment to read the answer.
- The operation and its stored answer are committed in one database transaction, so an
  answer is stored exactly when the operation happened. Answers with an error the client
  caused (4xx) are stored too; an unexpected failure (5xx) releases the key.
- A claim left by a crashed process is given up after ``ABANDONED_AFTER``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.errors import Conflict, InvalidInput, OkpayError
from okpay.identity.models import User
from okpay.wallets.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
ABANDONED_AFTER = timedelta(minutes=5)

Outcome = tuple[int, dict[str, Any]]


class IdempotencyError(Conflict):
    code = "idempotency_error"
    default_message = _(
        "This Idempotency-Key was already used with a different request. Use a new key."
    )


class IdempotencyInProgress(IdempotencyError):
    default_message = _(
        "A request with this Idempotency-Key is still being processed. Retry in a moment."
    )


def keep_for() -> timedelta:
    return timedelta(hours=int(getattr(settings, "OKPAY_IDEMPOTENCY_HOURS", 24)))


def request_fingerprint(*, endpoint: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"endpoint": endpoint, "payload": payload},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def key_from(request: HttpRequest) -> str:
    key = request.headers.get(HEADER, "").strip()
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput(
            _("The Idempotency-Key must be at most 255 characters."), field="Idempotency-Key"
        )
    return key


def _serialize(body: dict[str, Any]) -> str:
    return json.dumps(body, cls=DjangoJSONEncoder)


def _respond(status: int, body: dict[str, Any] | str, *, replayed: bool = False) -> HttpResponse:
    text = body if isinstance(body, str) else _serialize(body)
    response = HttpResponse(text, status=status, content_type="application/json")
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _error(exc: OkpayError) -> Outcome:
    return exc.http_status, {"error": exc.as_dict()}


def _claim(
    *, user: User, key: str, endpoint: str, fingerprint: str
) -> IdempotencyRecord | tuple[int, str]:
    """The new in-progress row, or the stored outcome to replay; raises on a conflict."""
    now = timezone.now()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    user=user, key=key, endpoint=endpoint, request_hash=fingerprint, created_at=now
                )
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if existing is None:
            continue  # released between our insert and our read: try once more
        stale = existing.created_at <= now - keep_for()
        abandoned = existing.status_code is None and existing.created_at <= now - ABANDONED_AFTER
        if stale or abandoned:
            IdempotencyRecord.objects.filter(
                pk=existing.pk, created_at=existing.created_at
            ).delete()
            continue
        if existing.request_hash != fingerprint:
            raise IdempotencyError(field="Idempotency-Key")
        if existing.status_code is None:
            raise IdempotencyInProgress(field="Idempotency-Key")
        return existing.status_code, existing.body
    raise IdempotencyInProgress(field="Idempotency-Key")


def idempotent_call(
    *,
    request: HttpRequest,
    user: User,
    endpoint: str,
    payload: dict[str, Any],
    run: Callable[[], Outcome],
) -> HttpResponse:
    """Run ``run`` at most once per ``Idempotency-Key`` and answer with its outcome.

    ``run`` returns ``(status, body)`` or raises ``OkpayError`` (stored as the error body).
    Without the header ``run`` simply runs.
    """
    try:
        key = key_from(request)
    except OkpayError as exc:
        return _respond(*_error(exc))
    if not key:
        try:
            return _respond(*run())
        except OkpayError as exc:
            return _respond(*_error(exc))
    fingerprint = request_fingerprint(endpoint=endpoint, payload=payload)
    try:
        claimed = _claim(user=user, key=key, endpoint=endpoint, fingerprint=fingerprint)
    except OkpayError as exc:
        return _respond(*_error(exc))
    if isinstance(claimed, tuple):
        return _respond(*claimed, replayed=True)
    try:
        with transaction.atomic():
            try:
                status, body = run()
            except OkpayError as exc:
                status, body = _error(exc)
            text = _serialize(body)
            IdempotencyRecord.objects.filter(pk=claimed.pk).update(status_code=status, body=text)
    except BaseException:
        IdempotencyRecord.objects.filter(pk=claimed.pk).delete()
        raise
    return _respond(status, text)
