"""The "solved, please rate" e-mail: language, notice, one-click links for users and guests,
sent once per solve and only after the commit."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from okpay.identity.tests.fixtures import make_user
from okpay.notifications.models import OutboundEmail
from okpay.support.models import Ticket, TicketEvent
from okpay.support.services.tickets import (
    guest_link_token,
    ticket_create,
    ticket_guest_confirm,
    ticket_reply,
    ticket_update,
)
from okpay.support.tests.tickets_fixtures import client_for, people, ticket_settings

__all__ = ["people", "ticket_settings"]

pytestmark = pytest.mark.django_db

TEMPLATE = "support/tickets/email/rating_request"
LINK = re.compile(r"https://okpay\.example\S+")


def _open(owner: Any) -> Ticket:
    return ticket_create(
        requester=owner, subject="Card top-up missing", body="It has not arrived.", category="fees"
    )


def _rating_mails() -> list[Any]:
    return [m for m in mail.outbox if "rate" in m.subject or "评分" in m.subject]


def _links(message: Any) -> list[str]:
    return LINK.findall(message.body)


def test_solving_emails_the_customer_a_rating_request_after_the_reply(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    ticket = _open(people["owner"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(
            ticket=ticket, author=people["agent"], body="The bank returned it.", status="solved"
        )

    ticket.refresh_from_db()
    reply, rating = mail.outbox
    assert reply.body.startswith("The bank returned it.")
    assert rating.to == ["alice@example.com"]
    assert rating.subject == (
        f'[{ticket.number}] Solved: please rate our answer to "Card top-up missing"'
    )
    assert f"We have marked your request {ticket.number} as solved." in rating.body
    assert "OKpay staff will never ask for your password, 2FA code or full card number." in (
        rating.body
    )
    assert rating.extra_headers["In-Reply-To"] == ticket.email_message_id
    links = _links(rating)
    assert len(links) == 5
    for n, link in enumerate(links, start=1):
        parts = urlsplit(link)
        assert parts.path == "/account/login/"
        assert parse_qs(parts.query)["next"] == [
            f"/support/tickets/{ticket.number}/?rating={n}#rate"
        ]
    html = rating.alternatives[0][0]
    assert all(link.replace("&", "&amp;") in html for link in links)
    assert "OKpay staff will never ask for your password" in html
    event = TicketEvent.objects.get(ticket=ticket, kind="rating_requested")
    assert (event.actor, event.data) == (
        people["agent"],
        {"to": "alice@example.com", "language": "en"},
    )


def test_the_request_is_in_chinese_for_a_chinese_ticket(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    chen = make_user("chen@example.cn", display_name="陈静", language="zh-hans")
    ticket = ticket_create(requester=chen, subject="手续费", body="为什么收了 3%？")
    assert ticket.language == "zh-hans"
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=ticket, actor=people["agent"], status="solved")

    (rating,) = mail.outbox
    assert rating.subject == f"[{ticket.number}] 问题已解决：请为我们对“手续费”的答复评分"
    assert f"您的工单 {ticket.number} 已标记为已解决。" in rating.body
    assert "评 5 分（满分 5 分）\nhttps://okpay.example/account/login/?next=" in rating.body
    assert "OKpay 工作人员绝不会向您索要密码、双重验证码或完整卡号。" in rating.body


def test_once_per_solve_and_again_after_a_reopen(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    ticket = _open(people["owner"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=ticket, actor=people["agent"], status="solved")
        ticket_update(ticket=ticket, actor=people["supervisor"], status="solved", priority="high")
    after_two_saves = len(_rating_mails())
    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, author=people["owner"], body="Still missing.")
        ticket_update(ticket=ticket, actor=people["agent"], status="solved")

    assert after_two_saves == 1
    assert len(_rating_mails()) == 2
    assert TicketEvent.objects.filter(ticket=ticket, kind="rating_requested").count() == 2


def test_the_email_leaves_only_after_the_commit(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    ticket = _open(people["owner"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket_update(ticket=ticket, actor=people["agent"], status="solved")
    queued = OutboundEmail.objects.filter(template=TEMPLATE).count()
    sent_before_commit = len(mail.outbox)
    for callback in callbacks:
        callback()

    assert (queued, sent_before_commit) == (1, 0)
    assert len(_rating_mails()) == 1


def test_no_request_for_a_guest_who_never_confirmed(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    guest = ticket_create(
        requester=None, email="g@example.net", subject="Spam?", body="Hi", confirmed=False
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=guest, actor=people["agent"], status="solved")

    assert _rating_mails() == []
    assert not TicketEvent.objects.filter(kind="rating_requested").exists()


def test_a_user_follows_a_rating_link_to_the_preselected_form(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    ticket = _open(people["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=ticket, actor=people["agent"], status="solved")
    four = urlsplit(_links(_rating_mails()[0])[3])
    link = f"{four.path}?{four.query}"

    signed_out = client_for(None).get(link)
    owner = client_for(people["owner"])
    signed_in = owner.get(link)
    form = owner.get(signed_in["Location"]).content.decode()
    stranger = client_for(people["other"])
    strangers_page = stranger.get(stranger.get(link)["Location"])

    assert signed_out.status_code == 200  # the sign-in form, which then goes on to the ticket
    assert signed_in.status_code == 302
    assert signed_in["Location"] == f"/support/tickets/{ticket.number}/?rating=4#rate"
    assert 'id="rate"' in form
    assert 'value="4" required checked' in form
    assert 'value="5" required>' in form
    assert strangers_page.status_code == 404


def test_a_guest_follows_a_signed_rating_link_and_rates(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    # Given a confirmed guest ticket that an agent solved
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(
            requester=None, email="guest@example.net", subject="Fees", body="?", confirmed=False
        )
    token = re.search(r"/support/tickets/confirm/([^/\s]+)/", mail.outbox[-1].body)
    assert token is not None
    ticket_guest_confirm(token=token.group(1))
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=ticket, actor=people["agent"], status="solved")
    links = [urlsplit(link) for link in _links(_rating_mails()[0])]
    assert [parse_qs(p.query)["rating"] for p in links] == [["1"], ["2"], ["3"], ["4"], ["5"]]
    assert all(p.path.startswith("/support/tickets/confirm/") for p in links)

    # When the guest opens the "2" link in a new browser and sends the form
    browser = client_for(None)
    opened = browser.get(f"{links[1].path}?{links[1].query}")
    form = browser.get(opened["Location"]).content.decode()
    rated = browser.post(f"/support/tickets/{ticket.number}/rate/", {"rating": "2"})

    # Then the form came preselected and the rating is stored
    assert opened.status_code == 302
    assert opened["Location"] == f"/support/tickets/{ticket.number}/?rating=2#rate"
    assert 'value="2" required checked' in form
    assert rated.status_code == 302
    ticket.refresh_from_db()
    assert ticket.csat_rating == 2
    # A link without the signature opens nothing.
    assert client_for(None).get("/support/tickets/confirm/forged/?rating=5").status_code == 400


def test_guest_rating_links_stay_valid_for_30_days_confirmation_links_for_7(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(
            requester=None, email="guest@example.net", subject="Fees", body="?", confirmed=True
        )
        ticket_update(ticket=ticket, actor=people["agent"], status="solved")
    rate_link = urlsplit(_links(_rating_mails()[0])[4])
    confirm_path = f"/support/tickets/confirm/{guest_link_token(ticket)}/"
    rate_path = f"{rate_link.path}?{rate_link.query}"

    with time_machine.travel(timezone.now() + timedelta(days=10)):
        confirm_after_10_days = client_for(None).get(confirm_path).status_code
        rate_after_10_days = client_for(None).get(rate_path).status_code
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        rate_after_31_days = client_for(None).get(rate_path).status_code

    assert (confirm_after_10_days, rate_after_10_days, rate_after_31_days) == (400, 302, 400)
