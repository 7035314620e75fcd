"""The demo mailbox at /dev/mailbox: reads the file backend's messages, debug mode only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.test import Client

from okpay.notifications.mailbox import mailbox_message, mailbox_messages

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_mailbox(settings: Any, tmp_path: Path) -> Path:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.DEBUG = True
    return tmp_path


def _send(to: str, subject: str, body: str, html: str = "") -> None:
    message = EmailMultiAlternatives(subject, body, "OKpay <no-reply@okpay.example>", [to])
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def test_messages_are_listed_newest_first(file_mailbox: Path) -> None:
    _send("a@example.com", "First", "one")
    _send("b@example.com", "重置您的密码", "two https://okpay.example/x/")
    connection = get_connection()
    connection.send_messages(  # two messages in one file
        [
            EmailMultiAlternatives("Third", "3", "x@okpay.example", ["c@example.com"]),
            EmailMultiAlternatives("Fourth", "4", "x@okpay.example", ["c@example.com"]),
        ]
    )

    found = mailbox_messages(directory=file_mailbox)

    assert [m.subject for m in found] == ["Fourth", "Third", "重置您的密码", "First"]
    assert [m.subject for m in mailbox_messages(directory=file_mailbox, to="C@EXAMPLE")] == [
        "Fourth",
        "Third",
    ]


def test_the_mailbox_page_lists_and_shows_messages(file_mailbox: Path) -> None:
    _send(
        "a@example.com",
        "Reset your OKpay password",
        "Open https://okpay.example/account/password/reset/abc/",
        "<p>Hi &amp; bye</p>",
    )
    client = Client()

    listing = client.get("/dev/mailbox/")
    message_id = mailbox_messages(directory=file_mailbox)[0].id
    detail = client.get(f"/dev/mailbox/{message_id}/")

    assert listing.status_code == 200
    assert "Reset your OKpay password" in listing.content.decode()
    html = detail.content.decode()
    assert '<a href="https://okpay.example/account/password/reset/abc/"' in html
    assert 'sandbox=""' in html
    assert 'srcdoc="&lt;p&gt;Hi &amp;amp; bye&lt;/p&gt;' in html


def test_the_mailbox_is_404_outside_debug_mode(file_mailbox: Path, settings: Any) -> None:
    _send("a@example.com", "Secret link", "https://okpay.example/account/verify/x/")
    settings.DEBUG = False
    client = Client()
    message_id = mailbox_messages(directory=file_mailbox)[0].id

    assert client.get("/dev/mailbox/").status_code == 404
    assert client.get(f"/dev/mailbox/{message_id}/").status_code == 404


@pytest.mark.parametrize(
    "message_id", ["../../etc/passwd", "20300101-000000-1.9", "x.0", "20300101-000000-1"]
)
def test_unknown_or_malformed_ids_are_404(file_mailbox: Path, message_id: str) -> None:
    _send("a@example.com", "Hello", "body")

    assert mailbox_message(directory=file_mailbox, message_id=message_id) is None
    assert Client().get(f"/dev/mailbox/{message_id}/").status_code == 404


def test_with_smtp_the_page_says_the_mailbox_is_not_used(settings: Any) -> None:
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    response = Client().get("/dev/mailbox/")

    assert response.status_code == 200
    assert "EMAIL_URL is set" in response.content.decode()
