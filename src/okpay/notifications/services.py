"""Sending e-mail: render in the reader's language, queue in the outbox, deliver in the background.

``email_queue`` is called inside the transaction of the change it reports: the outbox row
commits or rolls back with that change, and the delivery job is enqueued from
``transaction.on_commit``, so no e-mail ever leaves for a change that did not happen.
``email_deliver`` (the job) is idempotent: it claims the row with a conditional UPDATE and
does nothing for a message that is already sent or being sent.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from okpay.identity.models import User
from okpay.notifications.models import EmailStatus, OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STALE_SENDING_AFTER = timedelta(minutes=10)
RETRY_QUEUED_AFTER = timedelta(minutes=1)
LANGUAGES = ("zh-hans", "en")


def _language(language: str) -> str:
    language = (language or "").lower()
    return language if language in LANGUAGES else settings.LANGUAGE_CODE


def _enqueue_delivery(email_id: int) -> None:
    # tasks.py imports this module for the job bodies, so the task is imported here.
    from okpay.notifications.tasks import deliver_email

    deliver_email.enqueue(email_id)


def email_render(
    *, template: str, context: dict[str, Any], language: str, time_zone: str | None = None
) -> tuple[str, str, str]:
    """(subject, text, HTML) of ``template`` in ``language``.

    ``template`` names three files: ``<template>.subject.txt``, ``<template>.txt`` and
    ``<template>.html``. Times are shown in ``time_zone`` (the reader's).
    """
    full_context = {"site_url": settings.SITE_URL, "language": language, **context}
    with (
        translation.override(_language(language)),
        timezone.override(time_zone or settings.TIME_ZONE),
    ):
        subject = " ".join(render_to_string(f"{template}.subject.txt", full_context).split())
        text = render_to_string(f"{template}.txt", full_context).strip() + "\n"
        html = render_to_string(f"{template}.html", full_context)
    return subject, text, html


def email_queue(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    language: str,
    user: User | None = None,
    time_zone: str | None = None,
    headers: dict[str, str] | None = None,
) -> OutboundEmail:
    """Render and queue one e-mail; delivery starts when the current transaction commits.

    ``headers`` are added to the message as they are (e.g. Message-ID, In-Reply-To,
    References and Reply-To for a support conversation).
    """
    language = _language(language)
    subject, text, html = email_render(
        template=template, context=context, language=language, time_zone=time_zone
    )
    email = OutboundEmail.objects.create(
        user=user,
        to_email=to,
        template=template,
        language=language,
        subject=subject[:255],
        body_text=text,
        body_html=html,
        headers=dict(headers or {}),
    )
    transaction.on_commit(partial(_enqueue_delivery, email.pk))
    return email


def email_to_user(
    *,
    user: User,
    template: str,
    context: dict[str, Any],
    to: str | None = None,
    headers: dict[str, str] | None = None,
) -> OutboundEmail:
    """``email_queue`` in the user's preferred language and time zone."""
    return email_queue(
        to=to or user.email,
        template=template,
        context={"user": user, **context},
        language=user.preferred_language,
        user=user,
        time_zone=user.time_zone,
        headers=headers,
    )


def email_deliver(*, email_id: int) -> bool:
    """Send one queued e-mail. True when it was sent by this call.

    A temporary failure puts the message back in the queue (up to ``MAX_ATTEMPTS``); the
    bodies are erased once the mail server has accepted the message.
    """
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(pk=email_id, status=EmailStatus.QUEUED).update(
        status=EmailStatus.SENDING, attempts=F("attempts") + 1, last_attempt_at=now
    )
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        headers={
            "Content-Language": "zh-Hans" if email.language == "zh-hans" else "en",
            **(email.headers or {}),
        },
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        final = email.attempts >= MAX_ATTEMPTS
        OutboundEmail.objects.filter(pk=email_id).update(
            status=EmailStatus.FAILED if final else EmailStatus.QUEUED,
            last_error=f"{type(exc).__name__}: {exc}"[:500],
        )
        logger.warning(
            "e-mail %s to %s not sent (attempt %s): %s",
            email_id,
            email.to_email,
            email.attempts,
            exc,
        )
        return False
    OutboundEmail.objects.filter(pk=email_id).update(
        status=EmailStatus.SENT, sent_at=timezone.now(), last_error="", body_text="", body_html=""
    )
    return True


def emails_retry_due() -> int:
    """Queue again what a lost job or a dead worker left behind; return how many.

    Messages stuck in "sending" for ``STALE_SENDING_AFTER`` go back to the queue, and every
    message queued for longer than ``RETRY_QUEUED_AFTER`` gets a new delivery job (a
    duplicate job does nothing, see ``email_deliver``).
    """
    now = timezone.now()
    OutboundEmail.objects.filter(
        status=EmailStatus.SENDING, last_attempt_at__lt=now - STALE_SENDING_AFTER
    ).update(status=EmailStatus.QUEUED)
    due = list(
        OutboundEmail.objects.filter(
            status=EmailStatus.QUEUED, created_at__lt=now - RETRY_QUEUED_AFTER
        ).values_list("pk", flat=True)[:500]
    )
    for email_id in due:
        _enqueue_delivery(email_id)
    return len(due)


def email_resend(*, email: OutboundEmail) -> bool:
    """Put a failed message back in the queue (back office). False if it was not failed."""
    with transaction.atomic():
        requeued = OutboundEmail.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
            status=EmailStatus.QUEUED, attempts=0
        )
        if requeued:
            transaction.on_commit(partial(_enqueue_delivery, email.pk))
    return bool(requeued)
