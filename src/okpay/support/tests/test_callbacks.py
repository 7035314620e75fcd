"""Phone callbacks: requests, urgency, the queue, claim/release, outcomes, tickets, masking."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from okpay.errors import InvalidInput, OkpayError
from okpay.identity.models import AuditEvent
from okpay.identity.services import support_code_issue
from okpay.identity.tests.fixtures import make_user
from okpay.notifications.models import OutboundEmail
from okpay.support.errors_callbacks import (
    CallbackAlreadyClaimed,
    CallbackAlreadyOpen,
    CallbackNotClaimedByYou,
    CallbackNotOpen,
    CallbackOutcomeInvalid,
)
from okpay.support.models import (
    CallbackRequest,
    CallbackUrgency,
    MessageKind,
    Ticket,
    TicketEvent,
    TicketMessage,
)
from okpay.support.selectors_callbacks import (
    WindowState,
    callback_counts,
    callback_queue,
    single_period,
    window_state,
)
from okpay.support.services.callbacks import (
    callback_cancel,
    callback_claim,
    callback_complete,
    callback_release,
    callback_request,
    callback_urgency,
)
from okpay.support.tests.callbacks_fixtures import (
    NOTE_MASKED,
    NOTE_WITH_CARD,
    ask,
    at,
    pushes,
)
from okpay.support.tests.tickets_fixtures import (
    client_for,
    failed_payment,
    people,
    ticket_settings,
)

__all__ = ["people", "pushes", "ticket_settings"]

pytestmark = pytest.mark.django_db


def _actions(number: str) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="callback", object_id=number)
        .order_by("id")
        .values_list("action", flat=True)
    )


def _client(people: dict[str, Any], who: str) -> Client:
    return client_for(None if who == "anonymous" else people[who])


# --- requesting -----------------------------------------------------------------------------


def test_a_request_stores_the_e164_number_the_masked_note_and_e_mails_a_confirmation(
    people: dict[str, Any], pushes: list[tuple[str, dict[str, Any]]]
) -> None:
    owner = people["owner"]

    callback = ask(owner, phone="138 0013 8000", note=NOTE_WITH_CARD)

    callback.refresh_from_db()
    assert callback.number == f"CB-{callback.pk:06d}"
    assert (callback.phone, callback.note) == ("+8613800138000", NOTE_MASKED)
    assert (callback.status, callback.urgency, callback.attempts) == ("requested", 0, 0)
    assert (callback.window_start, callback.window_end) == (at(1, "10:00"), at(1, "11:00"))
    email = OutboundEmail.objects.get()
    assert (email.to_email, email.template) == (owner.email, "support/callbacks/email/requested")
    assert email.subject.startswith(f"[{callback.number}] We will call you back on ")
    assert "+86 *******8000" in email.body_text
    assert "/account/support-code/" in email.body_text
    assert "+86 400 123 4567" in email.body_text
    assert _actions(callback.number) == ["support.callback_request"]
    assert pushes == [("callback.requested", {"number": callback.number, "urgency": "normal"})]


def test_the_confirmation_e_mail_is_in_chinese_for_a_chinese_speaking_customer(
    people: dict[str, Any],
) -> None:
    customer = make_user("li@example.com", language="zh-hans")

    callback = ask(customer)

    email = OutboundEmail.objects.get(to_email="li@example.com")
    assert email.language == "zh-hans"
    assert email.subject.startswith(f"[{callback.number}] 我们将于 ")
    assert "客服验证码" in email.body_text


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"phone": "12345"}, "phone_invalid", "phone"),
        ({"phone": "   "}, "invalid_input", "phone"),
        ({"topic": "lottery"}, "callback_topic_invalid", "topic"),
        ({"days": -1}, "callback_window_invalid", "window_start"),
        ({"end": "10:20"}, "callback_window_invalid", "window_end"),
        ({"start": "11:00", "end": "10:00"}, "callback_window_invalid", "window_end"),
        ({"days": 15}, "callback_window_invalid", "window_start"),
        ({"start": "06:00", "end": "07:30"}, "callback_outside_hours", "window_start"),
        ({"start": "21:00", "end": "23:00"}, "callback_outside_hours", "window_end"),
        ({"note": "x" * 2001}, "invalid_input", "note"),
    ],
)
def test_a_bad_request_is_refused_and_nothing_is_stored(
    people: dict[str, Any],
    pushes: list[tuple[str, dict[str, Any]]],
    values: dict[str, Any],
    code: str,
    field: str,
) -> None:
    with pytest.raises(OkpayError) as caught:
        ask(people["owner"], **values)

    assert (caught.value.code, caught.value.field) == (code, field)
    assert CallbackRequest.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    assert AuditEvent.objects.filter(object_type="callback").count() == 0
    assert pushes == []


def test_outside_hours_says_when_the_line_is_open(people: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        ask(people["owner"], start="06:00", end="07:00")

    assert str(caught.value.message) == (
        "Our phone line is open Every day 08:00–22:00 (Asia/Shanghai). Choose a window "
        "within these hours: we cannot call you outside them."
    )


def test_one_open_request_per_customer(people: dict[str, Any]) -> None:
    first = ask(people["owner"])

    with pytest.raises(CallbackAlreadyOpen) as caught:
        ask(people["owner"], days=2)

    assert caught.value.details == {"number": first.number}
    assert list(CallbackRequest.objects.values_list("number", flat=True)) == [first.number]
    callback_cancel(callback=first, user=people["owner"])
    second = ask(people["owner"], days=2)
    assert second.status == "requested"


@pytest.mark.parametrize(
    ("topic", "threshold", "urgency"),
    [
        ("security", None, CallbackUrgency.URGENT),
        ("account_locked", None, CallbackUrgency.URGENT),
        ("large_transfer", None, CallbackUrgency.LARGE_AMOUNT),
        ("payment_failed", 10_000, CallbackUrgency.LARGE_AMOUNT),
        ("payment_failed", 10_001, CallbackUrgency.NORMAL),
        ("security", 10_000, CallbackUrgency.URGENT),
        ("fees", None, CallbackUrgency.NORMAL),
    ],
)
def test_urgency_is_set_from_the_topic_and_the_linked_amount(
    people: dict[str, Any], ticket_settings: Any, topic: str, threshold: int | None, urgency: int
) -> None:
    txn = None
    if threshold is not None:
        txn = failed_payment(people["owner"], ticket_settings)  # USD 100.00
        ticket_settings.OKPAY_CALLBACK_LARGE_AMOUNT = {"USD": threshold}

    callback = ask(people["owner"], topic=topic, transaction=txn)

    assert callback.urgency == urgency
    assert callback_urgency(topic=topic, transaction=txn) == urgency


def test_another_customers_transaction_cannot_be_linked(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    txn = failed_payment(people["other"], ticket_settings)

    with pytest.raises(ValueError, match="own transactions"):
        ask(people["owner"], transaction=txn)

    assert CallbackRequest.objects.count() == 0


def test_the_shipped_hours_formats_are_read() -> None:
    assert single_period("Every day 08:00–22:00") == (frozenset(range(7)), 480, 1320)
    assert single_period("Mon–Fri 09:00–17:30") == (frozenset(range(5)), 540, 1050)
    assert single_period("Sat-Mon 10:00-12:00") == (frozenset({5, 6, 0}), 600, 720)
    assert single_period("By appointment") is None
    assert single_period("") is None


# --- the queue ------------------------------------------------------------------------------


def test_the_queue_is_urgent_first_then_large_amounts_then_by_window(
    people: dict[str, Any],
) -> None:
    customers = [make_user(f"c{i}@example.com") for i in range(6)]
    now = timezone.now()
    late_normal = ask(customers[0], topic="fees", days=3)
    early_normal = ask(customers[1], topic="other", days=1, start="09:00", end="10:00")
    large = ask(customers[2], topic="large_transfer", days=5)
    urgent_late = ask(customers[3], topic="security", days=4)
    urgent_early = ask(customers[4], topic="account_locked", days=2)
    same_window_later = callback_request(
        requester=customers[5],
        phone="+8613800138005",
        topic="other",
        window_start=at(1, "09:00"),
        window_end=at(1, "10:00"),
        now=now + timedelta(seconds=5),
    )
    closed = ask(people["owner"], topic="security", days=1)
    callback_cancel(callback=closed, user=people["owner"])

    queue = callback_queue()

    assert [c.number for c in queue] == [
        urgent_early.number,
        urgent_late.number,
        large.number,
        early_normal.number,
        same_window_later.number,
        late_normal.number,
    ]
    callback_claim(callback=large, agent=people["agent"])
    assert large.number not in [c.number for c in callback_queue(include_claimed=False)]
    counts = callback_counts()
    assert (counts.waiting, counts.in_progress, counts.urgent, counts.large_amount) == (5, 1, 2, 1)
    assert (counts.due, counts.overdue, counts.open) == (0, 0, 6)


def test_the_window_state_marks_due_and_overdue(people: dict[str, Any]) -> None:
    callback = ask(people["owner"])
    start, end = callback.window_start, callback.window_end

    assert window_state(callback, now=start - timedelta(minutes=1)) == WindowState.UPCOMING
    assert window_state(callback, now=start) == WindowState.DUE
    assert window_state(callback, now=end) == WindowState.DUE
    assert window_state(callback, now=end + timedelta(minutes=1)) == WindowState.OVERDUE
    counts = callback_counts(now=start + timedelta(minutes=5))
    assert (counts.due, counts.overdue) == (1, 0)
    assert callback_counts(now=end + timedelta(minutes=5)).overdue == 1
    callback_cancel(callback=callback, user=people["owner"])
    assert window_state(callback, now=start) == WindowState.CLOSED


# --- claim and release ----------------------------------------------------------------------


def test_claim_takes_a_waiting_request_and_a_second_agent_is_refused(
    people: dict[str, Any], pushes: list[tuple[str, dict[str, Any]]]
) -> None:
    callback = ask(people["owner"], topic="security")
    rival = make_user("agent2@okpay.example", role="agent")

    claimed = callback_claim(callback=callback, agent=people["agent"])
    with pytest.raises(CallbackAlreadyClaimed):
        callback_claim(callback=callback, agent=rival)

    callback.refresh_from_db()
    assert (claimed.status, callback.status) == ("in_progress", "in_progress")
    assert callback.agent_id == people["agent"].pk
    assert callback.claimed_at is not None
    assert _actions(callback.number) == ["support.callback_request", "support.callback_claim"]
    assert [p[0] for p in pushes] == ["callback.requested", "callback.claimed"]
    assert pushes[1][1]["urgency"] == "urgent"


def test_a_customer_cannot_claim(people: dict[str, Any]) -> None:
    callback = ask(people["owner"])

    with pytest.raises(OkpayError) as caught:
        callback_claim(callback=callback, agent=people["other"])

    assert caught.value.code == "permission_denied"
    callback.refresh_from_db()
    assert (callback.status, callback.agent_id) == ("requested", None)


def test_release_by_the_claiming_agent_or_a_supervisor_only(people: dict[str, Any]) -> None:
    callback = ask(people["owner"])
    rival = make_user("agent2@okpay.example", role="agent")
    callback_claim(callback=callback, agent=people["agent"])

    with pytest.raises(CallbackNotClaimedByYou):
        callback_release(callback=callback, actor=rival)
    callback.refresh_from_db()
    assert (callback.status, callback.agent_id) == ("in_progress", people["agent"].pk)

    callback_release(callback=callback, actor=people["supervisor"])
    callback.refresh_from_db()
    assert (callback.status, callback.agent_id, callback.claimed_at) == ("requested", None, None)
    callback_claim(callback=callback, agent=rival)
    callback_release(callback=callback, actor=rival)
    assert _actions(callback.number)[-1] == "support.callback_release"


def test_a_cancelled_request_cannot_be_claimed_or_cancelled_again(people: dict[str, Any]) -> None:
    callback = ask(people["owner"])
    callback_cancel(callback=callback, user=people["owner"])

    with pytest.raises(CallbackNotOpen):
        callback_claim(callback=callback, agent=people["agent"])
    with pytest.raises(CallbackNotOpen):
        callback_cancel(callback=callback, user=people["owner"])

    callback.refresh_from_db()
    assert (callback.status, callback.agent_id) == ("cancelled", None)


# --- outcomes -------------------------------------------------------------------------------


def _call(callback: CallbackRequest, agent: Any, outcome: str, note: str = "") -> CallbackRequest:
    callback_claim(callback=callback, agent=agent)
    return callback_complete(callback=callback, agent=agent, outcome=outcome, note=note)


def test_no_answer_requeues_until_the_third_attempt_then_completes_and_tells_the_customer(
    people: dict[str, Any], pushes: list[tuple[str, dict[str, Any]]]
) -> None:
    owner, agent = people["owner"], people["agent"]
    callback = ask(owner)
    OutboundEmail.objects.all().delete()

    first = _call(callback, agent, "no_answer", "Voicemail")
    second = _call(callback, agent, "no_answer")

    assert (first.status, first.attempts, first.agent_id, first.outcome) == (
        "requested",
        1,
        None,
        "",
    )
    assert (second.status, second.attempts, second.ticket_id) == ("requested", 2, None)
    assert Ticket.objects.count() == 0
    assert OutboundEmail.objects.count() == 0

    third = _call(callback, agent, "no_answer")

    assert (third.status, third.outcome, third.attempts) == ("completed", "no_answer", 3)
    assert third.completed_at is not None
    ticket = Ticket.objects.get()
    assert third.ticket_id == ticket.pk
    assert (ticket.via, ticket.status, ticket.requester_id) == ("callback", "solved", owner.pk)
    public = TicketMessage.objects.filter(ticket=ticket, kind=MessageKind.PUBLIC, from_staff=True)
    assert [m.body for m in public] == [
        "We tried to call you 3 times at +86 *******8000 about “Payment failed” but could not "
        "reach you, so we have closed the callback request. If you still need help, reply to "
        "this message or request a new callback."
    ]
    reply = OutboundEmail.objects.get(to_email=owner.email, template="support/tickets/email/reply")
    assert "We tried to call you 3 times at +86 *******8000" in reply.body_text
    assert re.findall(r"#\d", third.outcome_note) == ["#1", "#2", "#3"]
    assert _actions(callback.number)[-2:] == [
        "support.callback_claim",
        "support.callback_complete",
    ]
    assert _actions(callback.number).count("support.callback_no_answer") == 2
    assert pushes[-1] == (
        "callback.completed",
        {"number": callback.number, "urgency": "normal", "outcome": "no_answer"},
    )


def test_resolved_records_the_call_on_a_solved_ticket(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    owner, agent = people["owner"], people["agent"]
    txn = failed_payment(owner, ticket_settings)
    callback = ask(owner, topic="payment_failed", transaction=txn, note=NOTE_WITH_CARD)

    done = _call(callback, agent, "resolved", "Explained the bank rejection; card 4111111111111111")

    assert (done.status, done.outcome, done.attempts) == ("completed", "resolved", 1)
    ticket = Ticket.objects.get(pk=done.ticket_id)
    assert (ticket.via, ticket.status, ticket.category) == ("callback", "solved", "payment_failed")
    assert ticket.subject == f"Phone callback {callback.number}: Payment failed"
    assert list(ticket.transactions.values_list("reference", flat=True)) == [txn.reference]
    messages = list(TicketMessage.objects.filter(ticket=ticket).order_by("id"))
    assert [(m.kind, m.from_staff, m.via) for m in messages] == [
        ("public", False, "callback"),
        ("internal", True, "callback"),
        ("public", True, "callback"),
    ]
    assert NOTE_MASKED in messages[0].body
    assert "4111" not in messages[1].body.replace("************1111", "")
    assert "Explained the bank rejection; card ************1111" in messages[1].body
    assert messages[1].body.startswith(
        f"Callback {callback.number} · outcome: Resolved on the call · attempts: 1"
    )
    assert "your question was resolved on the call" in messages[2].body
    event = TicketEvent.objects.get(ticket=ticket, kind="callback")
    assert (event.actor_id, event.data) == (
        agent.pk,
        {
            "callback": callback.number,
            "outcome": "resolved",
            "attempts": 1,
            "topic": "payment_failed",
        },
    )


def test_follow_up_leaves_the_ticket_open_with_the_agent(people: dict[str, Any]) -> None:
    callback = ask(people["owner"], topic="security")

    done = _call(callback, people["agent"], "follow_up", "Card blocked, refund to check")

    ticket = Ticket.objects.get(pk=done.ticket_id)
    assert (ticket.status, ticket.assignee_id, ticket.category, ticket.team) == (
        "open",
        people["agent"].pk,
        "security",
        "security",
    )


def test_wrong_number_solves_the_ticket_and_asks_for_a_new_request(
    people: dict[str, Any],
) -> None:
    done = _call(ask(people["owner"]), people["agent"], "wrong_number")

    ticket = Ticket.objects.get(pk=done.ticket_id)
    summary = TicketMessage.objects.filter(ticket=ticket, from_staff=True, kind="public").get()
    assert ticket.status == "solved"
    assert "request a new callback" in summary.body


def test_only_the_claiming_agent_completes_with_a_known_outcome(people: dict[str, Any]) -> None:
    callback = ask(people["owner"])
    with pytest.raises(CallbackNotClaimedByYou):
        callback_complete(callback=callback, agent=people["agent"], outcome="resolved")
    callback_claim(callback=callback, agent=people["agent"])

    with pytest.raises(CallbackNotClaimedByYou):
        callback_complete(callback=callback, agent=people["supervisor"], outcome="resolved")
    with pytest.raises(CallbackOutcomeInvalid):
        callback_complete(callback=callback, agent=people["agent"], outcome="maybe")

    callback.refresh_from_db()
    assert (callback.status, callback.attempts, callback.outcome) == ("in_progress", 0, "")
    assert Ticket.objects.count() == 0


def test_a_customer_cancelling_during_the_call_stops_the_completion(
    people: dict[str, Any],
) -> None:
    callback = ask(people["owner"])
    callback_claim(callback=callback, agent=people["agent"])
    callback_cancel(callback=callback, user=people["owner"])

    with pytest.raises(CallbackNotOpen):
        callback_complete(callback=callback, agent=people["agent"], outcome="resolved")

    assert Ticket.objects.count() == 0


# --- customer pages -------------------------------------------------------------------------


def _form(**extra: str) -> dict[str, str]:
    start = at(1, "10:00")
    values = {
        "phone": "13800138000",
        "date": start.date().isoformat(),
        "time_from": "10:00",
        "time_to": "11:00",
        "topic": "payment_failed",
        "transaction": "",
        "note": NOTE_WITH_CARD,
    }
    values.update(extra)
    return values


def test_guests_are_sent_to_sign_in(people: dict[str, Any]) -> None:
    response = Client().get("/support/callback/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=/support/callback/")


def test_the_form_is_prefilled_from_the_profile(people: dict[str, Any]) -> None:
    owner = people["owner"]
    owner.phone = "+8613912345678"
    owner.save(update_fields=["phone"])

    page = client_for(owner).get("/support/callback/").content.decode()

    assert 'value="+8613912345678"' in page
    assert "Every day 08:00–22:00 (Asia/Shanghai)" in page
    assert "data-sensitive-warning" in page
    assert "support/sensitive-warning.js" in page


def test_a_customer_requests_sees_and_cancels_a_callback(people: dict[str, Any]) -> None:
    client = client_for(people["owner"])

    response = client.post("/support/callback/", _form())

    callback = CallbackRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/support/callbacks/{callback.number}/"
    assert (callback.phone, callback.note, callback.window_start) == (
        "+8613800138000",
        NOTE_MASKED,
        at(1, "10:00"),
    )
    page = client.get(response["Location"]).content.decode()
    assert callback.number in page
    assert "Waiting for a call" in page
    assert "OKpay staff will never ask for your password, 2FA code or full card number." in page
    assert 'href="/account/support-code/"' in page
    listing = client.get("/support/callbacks/").content.decode()
    assert f'href="/support/callbacks/{callback.number}/"' in listing
    cancelled = client.post(f"/support/callbacks/{callback.number}/cancel/")
    assert cancelled.status_code == 302
    callback.refresh_from_db()
    assert callback.status == "cancelled"
    assert "Cancelled" in client.get("/support/callbacks/").content.decode()


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"phone": "12"}, "phone", "Enter a valid phone number, for example +86 138 1234 5678."),
        ({"time_from": "06:00", "time_to": "07:00"}, "time_from", "Our phone line is open"),
        ({"time_to": "10:15"}, "time_to", "Give us at least 30 minutes to call you"),
        ({"date": "2001-01-01"}, "time_from", "Choose a time in the future."),
        ({"date": "tomorrow"}, "date", "Enter a valid date."),
        ({"topic": "nope"}, "topic", "Select a valid choice."),
        ({"transaction": "OK0000"}, "transaction", "Select a valid choice."),
    ],
)
def test_form_errors_are_shown_beside_the_field_and_nothing_is_stored(
    people: dict[str, Any], extra: dict[str, str], field: str, message: str
) -> None:
    response = client_for(people["owner"]).post("/support/callback/", _form(**extra))

    assert response.status_code == 400
    page = response.content.decode()
    error = re.search(rf'id="id_{field}_error1"[^>]*>([^<]*)<', page)
    assert error is not None
    assert error.group(1).startswith(message)
    assert CallbackRequest.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


def test_every_wrong_field_gets_its_own_error_at_once(people: dict[str, Any]) -> None:
    response = client_for(people["owner"]).post(
        "/support/callback/", _form(phone="12", time_to="10:15")
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_phone_error1"' in page
    assert 'id="id_time_to_error1"' in page
    assert CallbackRequest.objects.count() == 0


def test_a_second_open_request_is_refused_on_the_page(people: dict[str, Any]) -> None:
    first = ask(people["owner"])
    client = client_for(people["owner"])

    response = client.post("/support/callback/", _form(date=at(2, "10:00").date().isoformat()))

    assert response.status_code == 400
    assert f"You already have a callback request waiting ({first.number})" in (
        response.content.decode()
    )
    assert CallbackRequest.objects.count() == 1
    assert (
        f'href="/support/callbacks/{first.number}/"'
        in client.get("/support/callback/").content.decode()
    )


def test_the_transaction_is_linked_from_the_get_help_page(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    owner = people["owner"]
    txn = failed_payment(owner, ticket_settings)
    client = client_for(owner)

    help_page = client.get(f"/support/tickets/new/?transaction={txn.reference}").content.decode()
    form_page = client.get(f"/support/callback/?transaction={txn.reference}").content.decode()
    response = client.post(
        f"/support/callback/?transaction={txn.reference}", _form(transaction=txn.reference)
    )

    assert f'href="/support/callback/?transaction={txn.reference}"' in help_page
    assert f'<option value="{txn.reference}" selected>' in form_page
    assert response.status_code == 302
    assert CallbackRequest.objects.get().transaction_id == txn.pk
    other = client_for(people["other"]).get(f"/support/callback/?transaction={txn.reference}")
    assert other.status_code == 404


def test_the_contact_page_links_to_the_callback_form(people: dict[str, Any]) -> None:
    page = Client().get("/help/contact/").content.decode()

    assert 'href="/support/callback/"' in page


@pytest.mark.parametrize(
    ("who", "customer_page", "cancel", "agent_page", "queue"),
    [
        ("anonymous", 302, 302, 302, 302),
        ("other", 404, 404, 404, 404),
        ("owner", 200, 302, 404, 404),
        ("agent", 404, 404, 200, 200),
        ("supervisor", 404, 404, 200, 200),
    ],
)
def test_pages_permission_matrix(
    people: dict[str, Any], who: str, customer_page: int, cancel: int, agent_page: int, queue: int
) -> None:
    callback = ask(people["owner"])
    client = _client(people, who)

    assert client.get(f"/support/callbacks/{callback.number}/").status_code == customer_page
    assert client.get(f"/support/agent/callbacks/{callback.number}/").status_code == agent_page
    assert client.get("/support/agent/callbacks/").status_code == queue
    claim = client.post(f"/support/agent/callbacks/{callback.number}/claim/")
    assert claim.status_code == (302 if who in ("agent", "supervisor", "anonymous") else 404)
    callback.refresh_from_db()
    assert callback.status == ("in_progress" if who in ("agent", "supervisor") else "requested")
    assert client.post(f"/support/callbacks/{callback.number}/cancel/").status_code == cancel
    callback.refresh_from_db()
    expected = {"owner": "cancelled", "agent": "in_progress", "supervisor": "in_progress"}
    assert callback.status == expected.get(who, "requested")


# --- agent pages ----------------------------------------------------------------------------


def test_the_full_number_is_shown_only_to_the_agent_who_claimed_it(
    people: dict[str, Any],
) -> None:
    callback = ask(people["owner"])
    agent, supervisor = client_for(people["agent"]), client_for(people["supervisor"])
    masked, full = "+86 *******8000", "+8613800138000"

    before = agent.get(f"/support/agent/callbacks/{callback.number}/").content.decode()
    agent.post(f"/support/agent/callbacks/{callback.number}/claim/")
    claimer = agent.get(f"/support/agent/callbacks/{callback.number}/").content.decode()
    other = supervisor.get(f"/support/agent/callbacks/{callback.number}/").content.decode()
    queue_other = supervisor.get("/support/agent/callbacks/").content.decode()

    assert masked in before and full not in before
    assert f'href="tel:{full}"' in claimer
    assert masked in other and full not in other
    assert masked in queue_other and full not in queue_other
    assert (
        AuditEvent.objects.filter(
            action="support.customer_data_view", object_id=callback.number
        ).count()
        == 3
    )


def test_the_queue_page_lists_open_requests_in_order_with_due_marks(
    people: dict[str, Any],
) -> None:
    normal = ask(people["owner"], topic="fees")
    urgent = ask(people["other"], topic="security", days=2)
    CallbackRequest.objects.filter(pk=normal.pk).update(
        window_start=timezone.now() - timedelta(hours=2),
        window_end=timezone.now() - timedelta(hours=1),
    )

    page = client_for(people["agent"]).get("/support/agent/callbacks/").content.decode()

    assert page.index(urgent.number) < page.index(normal.number)
    assert 'data-testid="overdue"' in page
    assert "2 waiting · 0 being called · 1 urgent · 0 large amount · 0 due now · 1 overdue" in page


def test_two_agents_claiming_on_the_page_one_gets_a_clear_error(people: dict[str, Any]) -> None:
    callback = ask(people["owner"])
    first, second = client_for(people["agent"]), client_for(people["supervisor"])

    first.post(f"/support/agent/callbacks/{callback.number}/claim/")
    response = second.post(f"/support/agent/callbacks/{callback.number}/claim/", follow=True)

    assert "Another agent has just taken this callback." in response.content.decode()
    callback.refresh_from_db()
    assert callback.agent_id == people["agent"].pk


def test_the_agent_verifies_the_caller_with_the_support_code(people: dict[str, Any]) -> None:
    callback = ask(people["owner"])
    client = client_for(people["agent"])
    issued = support_code_issue(user=people["owner"])
    url = f"/support/agent/callbacks/{callback.number}/verify/"

    unclaimed = client.post(url, {"code": issued.code})
    client.post(f"/support/agent/callbacks/{callback.number}/claim/")
    wrong = client.post(url, {"code": "000000" if issued.code != "000000" else "111111"})
    right = client.post(url, {"code": issued.grouped})

    assert unclaimed.status_code == 400
    assert "Claim this callback first" in unclaimed.content.decode()
    assert wrong.status_code == 400
    assert 'data-testid="verify-error"' in wrong.content.decode()
    assert right.status_code == 200
    assert 'data-testid="caller-verified"' in right.content.decode()
    assert (
        AuditEvent.objects.filter(action="support_code.verified", actor=people["agent"]).count()
        == 1
    )
    assert _actions(callback.number).count("support.callback_caller_verified") == 1


def test_the_agent_records_the_outcome_on_the_page(people: dict[str, Any]) -> None:
    callback = ask(people["owner"])
    client = client_for(people["agent"])
    client.post(f"/support/agent/callbacks/{callback.number}/claim/")
    url = f"/support/agent/callbacks/{callback.number}/complete/"

    missing = client.post(url, {"outcome": "", "note": "x"})
    done = client.post(url, {"outcome": "resolved", "note": "All clear"}, follow=True)

    assert missing.status_code == 400
    assert "Choose how the call went" in missing.content.decode()
    callback.refresh_from_db()
    assert (callback.status, callback.outcome) == ("completed", "resolved")
    assert f"recorded on ticket {callback.ticket.number}" in done.content.decode()
    owner_list = client_for(people["owner"]).get("/support/callbacks/").content.decode()
    assert "Resolved on the call" in owner_list
    assert f'href="/support/tickets/{callback.ticket.number}/"' in owner_list
