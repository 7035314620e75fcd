"""Signed-in sessions: start, check on every request, end; and new-device alerts.

Every signed-in browser or app session has a ``UserSession`` row keyed by Django's session
key. Signing in always gets a new key (Django's ``login`` rotates it). The middleware calls
``session_check`` on each request: a session idle for ``OKPAY_SESSION_IDLE_MINUTES`` or
older than ``OKPAY_SESSION_MAX_HOURS`` is ended. ``last_seen_at`` is written at most every
``OKPAY_SESSION_TOUCH_SECONDS``, so the idle limit is exact to within that interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from okpay.errors import NotFound
from okpay.identity.client import ClientInfo, client_info
from okpay.identity.emails import notify_new_device
from okpay.identity.models import (
    KnownDevice,
    SecurityEventKind,
    SessionEndReason,
    StepUpGrant,
    User,
    UserSession,
)
from okpay.identity.services.lockout import account_failures_reset
from okpay.identity.services.log import security_event_record

LOGIN_AT_KEY = "okpay.login_at"
PENDING_LOGIN_KEY = "okpay.pending_login"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass(frozen=True)
class SessionVerdict:
    active: bool
    ended_because: SessionEndReason | None = None


def _session_store_delete(keys: list[str]) -> None:
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store_class(session_key=key).delete()


def _end_rows(rows: list[UserSession], *, reason: SessionEndReason, now: datetime) -> int:
    ids = [row.pk for row in rows]
    if not ids:
        return 0
    ended = UserSession.objects.filter(pk__in=ids, ended_at__isnull=True).update(
        ended_at=now, end_reason=reason
    )
    StepUpGrant.objects.filter(holder__in=[f"session:{row.session_key}" for row in rows]).delete()
    _session_store_delete([row.session_key for row in rows])
    return ended


def _device_label(client: ClientInfo) -> str:
    return f"{client.browser} / {client.os} · {client.ip_prefix}"[:160]


def _device_is_new(*, user: User, client: ClientInfo, now: datetime) -> bool:
    """Remember this device; True when the user has signed in before, but never from it."""
    fingerprint = client.device_fingerprint
    seen_before = KnownDevice.objects.filter(user=user, fingerprint=fingerprint).update(
        last_seen_at=now
    )
    if seen_before:
        return False
    had_devices = KnownDevice.objects.filter(user=user).exists()
    try:
        with transaction.atomic():
            KnownDevice.objects.create(
                user=user,
                fingerprint=fingerprint,
                label=_device_label(client),
                first_seen_at=now,
                last_seen_at=now,
            )
    except IntegrityError:
        return False
    return had_devices


def session_sign_in(*, request: HttpRequest, user: User, method: str) -> UserSession:
    """Sign ``user`` in on this request: new session key, session row, log, device alert."""
    client = client_info(request)
    now = timezone.now()
    with transaction.atomic():
        account_failures_reset(user=user)
        request.session.pop(PENDING_LOGIN_KEY, None)
        django_login(request, user, backend=AUTH_BACKEND)
        request.session[LOGIN_AT_KEY] = now.isoformat()
        if request.session.session_key is None:
            request.session.save()
        session_key = request.session.session_key
        assert session_key is not None
        row = UserSession.objects.create(
            user=user,
            session_key=session_key,
            created_at=now,
            last_seen_at=now,
            ip=client.ip,
            user_agent=client.user_agent,
            browser=client.browser,
            os=client.os,
            device_fingerprint=client.device_fingerprint,
        )
        new_device = _device_is_new(user=user, client=client, now=now)
        security_event_record(
            kind=SecurityEventKind.LOGIN_SUCCEEDED,
            user=user,
            client=client,
            details={"method": method, "session": row.pk},
        )
        if new_device:
            security_event_record(
                kind=SecurityEventKind.NEW_DEVICE,
                user=user,
                client=client,
                details={"device": _device_label(client)},
            )
            notify_new_device(user=user, client=client, when=now)
    return row


def session_sign_out(*, request: HttpRequest) -> None:
    """End the current session (the "Sign out" button)."""
    user = request.user
    key = request.session.session_key
    with transaction.atomic():
        if isinstance(user, User) and key:
            rows = list(
                UserSession.objects.filter(session_key=key, user=user, ended_at__isnull=True)
            )
            if _end_rows(rows, reason=SessionEndReason.SIGNED_OUT, now=timezone.now()):
                security_event_record(
                    kind=SecurityEventKind.SESSION_ENDED,
                    user=user,
                    client=client_info(request),
                    details={"reason": SessionEndReason.SIGNED_OUT.value, "session": rows[0].pk},
                )
        django_logout(request)


def session_end(*, user: User, session_id: int, client: ClientInfo) -> UserSession:
    """End one of the user's own sessions (the devices page). Another user's: NotFound."""
    row = UserSession.objects.filter(pk=session_id, user=user, ended_at__isnull=True).first()
    if row is None:
        raise NotFound()
    with transaction.atomic():
        _end_rows([row], reason=SessionEndReason.ENDED_BY_USER, now=timezone.now())
        security_event_record(
            kind=SecurityEventKind.SESSION_ENDED,
            user=user,
            client=client,
            details={
                "reason": SessionEndReason.ENDED_BY_USER.value,
                "session": row.pk,
                "device": f"{row.browser} / {row.os}",
                "ip": row.ip,
            },
        )
    row.refresh_from_db()
    return row


def sessions_end_others(*, user: User, current_session_key: str | None, client: ClientInfo) -> int:
    """End every session of ``user`` except the current one; return how many ended."""
    with transaction.atomic():
        ended = sessions_end_all(
            user=user, reason=SessionEndReason.ENDED_BY_USER, keep_session_key=current_session_key
        )
        if ended:
            security_event_record(
                kind=SecurityEventKind.SESSION_ENDED,
                user=user,
                client=client,
                details={"reason": "ended_others", "count": ended},
            )
    return ended


def sessions_end_all(
    *, user: User, reason: SessionEndReason, keep_session_key: str | None = None
) -> int:
    """End the user's sessions (all but ``keep_session_key``). Runs in the caller's transaction."""
    rows = UserSession.objects.filter(user=user, ended_at__isnull=True)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    return _end_rows(list(rows), reason=reason, now=timezone.now())


def session_rekey(*, request: HttpRequest, user: User) -> None:
    """Keep the current session valid after the password changed (new key, new hash)."""
    old_key = request.session.session_key
    request.session.cycle_key()
    request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    request.session.setdefault(BACKEND_SESSION_KEY, AUTH_BACKEND)
    new_key = request.session.session_key
    if old_key and new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def _parse_login_at(value: object, default: datetime) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return default
        return parsed if parsed <= default else default
    return default


def session_check(*, request: HttpRequest) -> SessionVerdict:
    """Enforce the idle and absolute limits on the signed-in session of ``request``."""
    user = request.user
    key = request.session.session_key
    if not isinstance(user, User) or not key:
        return SessionVerdict(active=True)
    now = timezone.now()
    row = UserSession.objects.filter(session_key=key).first()
    if row is None:
        # A session made by another sign-in path (e.g. a test client): adopt it.
        client = client_info(request)
        started = _parse_login_at(request.session.get(LOGIN_AT_KEY), now)
        request.session[LOGIN_AT_KEY] = started.isoformat()
        try:
            with transaction.atomic():
                row = UserSession.objects.create(
                    user=user,
                    session_key=key,
                    created_at=started,
                    last_seen_at=now,
                    ip=client.ip,
                    user_agent=client.user_agent,
                    browser=client.browser,
                    os=client.os,
                    device_fingerprint=client.device_fingerprint,
                )
        except IntegrityError:
            row = UserSession.objects.filter(session_key=key).first()
            if row is None:
                return SessionVerdict(active=True)
    if row.user_id != user.pk or row.ended_at is not None:
        return SessionVerdict(active=False, ended_because=SessionEndReason.GONE)
    reason: SessionEndReason | None = None
    if now - row.last_seen_at >= timedelta(minutes=int(settings.OKPAY_SESSION_IDLE_MINUTES)):
        reason = SessionEndReason.IDLE
    elif now - row.created_at >= timedelta(hours=int(settings.OKPAY_SESSION_MAX_HOURS)):
        reason = SessionEndReason.EXPIRED
    if reason is not None:
        with transaction.atomic():
            _end_rows([row], reason=reason, now=now)
            security_event_record(
                kind=SecurityEventKind.SESSION_ENDED,
                user=user,
                client=client_info(request),
                details={"reason": reason.value, "session": row.pk},
            )
        return SessionVerdict(active=False, ended_because=reason)
    if now - row.last_seen_at >= timedelta(seconds=int(settings.OKPAY_SESSION_TOUCH_SECONDS)):
        UserSession.objects.filter(pk=row.pk).update(last_seen_at=now, ip=client_info(request).ip)
    return SessionVerdict(active=True)
