"""E-mail: rendered in the reader's language, queued with the change, delivered once."""

from __future__ import annotations

import smtplib
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from okpay.identity.models import User
from okpay.identity.tests.fixtures import Outbox, make_user
from okpay.notifications.models import EmailStatus, OutboundEmail
from okpay.notifications.services import email_deliver, email_queue, email_resend, email_to_user

pytestmark = pytest.mark.django_db

TEMPLATE = "identity/email/new_device"


def _context() -> dict[str, Any]:
    from django.utils import timezone

    from okpay.identity.client import NO_CLIENT

    return {
        "client": NO_CLIENT,
        "when": timezone.now(),
        "devices_url": "https://okpay.example/account/devices/",
        "forgot_url": "https://okpay.example/account/password/forgot/",
    }


def test_text_and_html_in_english(outbox: Outbox) -> None:
    user = make_user(language="en")

    with outbox.capture():
        email_to_user(user=user, template=TEMPLATE, context=_context())

    message = outbox.messages[0]
    assert message.subject == "New sign-in to your OKpay account"
    assert message.body.startswith("Hello Alice Zhang,")
    html, mime = message.alternatives[0]  # type: ignore[attr-defined]
    assert mime == "text/html"
    assert '<html lang="en">' in html
    assert message.extra_headers["Content-Language"] == "en"


def test_text_and_html_in_simplified_chinese(outbox: Outbox) -> None:
    from django.utils import translation
    from django.utils.translation import gettext

    user = make_user(language="zh-hans")
    with translation.override("zh-hans"):
        subject = gettext("New sign-in to your OKpay account")

    with outbox.capture():
        email_to_user(user=user, template=TEMPLATE, context=_context())

    message = outbox.messages[0]
    assert subject != "New sign-in to your OKpay account"
    assert message.subject == subject
    assert "Hello" not in message.body
    assert '<html lang="zh-Hans">' in message.alternatives[0][0]  # type: ignore[attr-defined]
    assert message.extra_headers["Content-Language"] == "zh-Hans"


def test_text_bodies_are_not_html_escaped(outbox: Outbox) -> None:
    user = make_user(display_name="Tom & Jerry", language="en")

    with outbox.capture():
        email_to_user(user=user, template=TEMPLATE, context=_context())

    assert outbox.messages[0].body.startswith("Hello Tom & Jerry,")
    assert "Tom &amp; Jerry" in outbox.messages[0].alternatives[0][0]  # type: ignore[attr-defined]


def test_nothing_is_sent_when_the_change_rolls_back(outbox: Outbox) -> None:
    user = make_user()

    with outbox.capture(), pytest.raises(RuntimeError), transaction.atomic():
        email_to_user(user=user, template=TEMPLATE, context=_context())
        raise RuntimeError("the change failed")

    assert OutboundEmail.objects.count() == 0
    assert outbox.messages == []


def test_delivery_waits_for_the_commit(outbox: Outbox) -> None:
    user = make_user()

    with outbox.capture() as callbacks:
        email_to_user(user=user, template=TEMPLATE, context=_context())
        assert mail.outbox == []  # still inside the transaction
        assert OutboundEmail.objects.get().status == EmailStatus.QUEUED

    assert len(callbacks) == 1
    assert len(outbox.messages) == 1


def test_delivery_is_idempotent_and_erases_the_bodies(outbox: Outbox) -> None:
    user = make_user()
    with outbox.capture():
        email = email_to_user(user=user, template=TEMPLATE, context=_context())

    again = email_deliver(email_id=email.pk)

    assert again is False
    assert len(outbox.messages) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.body_text, email.body_html) == (
        EmailStatus.SENT,
        1,
        "",
        "",
    )
    assert email.subject == "New sign-in to your OKpay account"


def test_a_failed_send_is_queued_again_then_marked_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    user = make_user()
    email = email_queue(
        to=user.email, template=TEMPLATE, context={"user": user, **_context()}, language="en"
    )

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    results = [email_deliver(email_id=email.pk) for _ in range(5)]

    email.refresh_from_db()
    assert results == [False] * 5
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 5)
    assert email.last_error == "SMTPServerDisconnected: connection lost"
    assert email.body_text != ""
    assert email_resend(email=email) is True
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.QUEUED, 0)


def test_unknown_language_falls_back_to_the_site_language(outbox: Outbox, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    user: User = make_user()

    email = email_queue(
        to=user.email, template=TEMPLATE, context={"user": user, **_context()}, language="fr"
    )

    assert email.language == "zh-hans"
