"""The agent actions of the tickets API: assign, change, link, merge, canned replies, the
customer's context and the supervisor board — the permission matrix and each action."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client

from okpay.identity.models import AuditEvent
from okpay.identity.tests.fixtures import make_user
from okpay.support.models import CannedReply, Ticket, TicketEvent
from okpay.support.services.sla import sla_escalate_due
from okpay.support.services.tickets import ticket_create, ticket_reply, ticket_update
from okpay.support.tests.test_api_tickets import bearer, get, post
from okpay.support.tests.tickets_fixtures import failed_payment, people, ticket_settings

__all__ = ["people", "ticket_settings"]

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def _open(user: Any, subject: str = "Card top-up missing", **extra: Any) -> Ticket:
    values: dict[str, Any] = {"body": "My top-up has not arrived.", "category": "topup_delayed"}
    values.update(extra)
    return ticket_create(requester=user, subject=subject, **values)


def _headers(who: str, people: dict[str, Any]) -> dict[str, Any]:
    """The caller's token (made on first use, which writes audit rows of its own)."""
    return {} if who == "anonymous" else bearer(people[who])


def call(who: str, people: dict[str, Any], method: str, path: str, body: Any = None) -> Any:
    headers = _headers(who, people)
    client = Client()
    if method == "get":
        return client.get(path, **headers)
    return getattr(client, method)(path, body or {}, content_type="application/json", **headers)


def patch(user: Any, path: str, body: dict[str, Any]) -> Any:
    return Client().patch(path, body, content_type="application/json", **bearer(user))


def _snapshot(ticket: Ticket) -> tuple[Any, ...]:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.priority,
        ticket.category,
        ticket.team,
        ticket.assignee_id,
        ticket.merged_into_id,
        list(ticket.transactions.values_list("pk", flat=True)),
        TicketEvent.objects.filter(ticket=ticket).count(),
    )


ACTIONS = [
    ("patch", "", {"status": "on_hold"}),
    ("post", "/assign", "agent"),
    ("post", "/transactions", {"reference": "TX-ANY"}),
    ("post", "/merge", "merge"),
    ("get", "/context", None),
]


@pytest.mark.parametrize(("method", "suffix", "body"), ACTIONS)
@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "unauthenticated"),
        ("other", 404, "ticket_not_found"),
        ("owner", 403, "permission_denied"),
    ],
)
def test_customers_cannot_use_the_agent_actions_and_nothing_changes(
    people: dict[str, Any],
    method: str,
    suffix: str,
    body: Any,
    who: str,
    status: int,
    code: str,
) -> None:
    ticket = _open(people["owner"])
    other_ticket = _open(people["owner"], subject="Duplicate")
    if body == "agent":
        body = {"assignee_id": people["agent"].pk}
    elif body == "merge":
        body = {"target": other_ticket.number}
    _headers(who, people)
    before = (_snapshot(ticket), _snapshot(other_ticket))
    audits = AuditEvent.objects.count()

    response = call(who, people, method, f"/api/v1/tickets/{ticket.number}{suffix}", body)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert (_snapshot(ticket), _snapshot(other_ticket)) == before
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("other", 403), ("owner", 403), ("agent", 200), ("supervisor", 200)],
)
def test_canned_replies_are_for_staff(people: dict[str, Any], who: str, status: int) -> None:
    CannedReply.objects.create(
        title="Bank delay", body_zh="银行处理中", body_en="The bank is on it"
    )

    response = call(who, people, "get", "/api/v1/tickets/canned-replies")

    assert response.status_code == status
    if status == 200:
        assert [c["title"] for c in response.json()["data"]] == ["Bank delay"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("other", 403), ("owner", 403), ("agent", 403), ("supervisor", 200)],
)
def test_the_board_is_for_supervisors_and_operators(
    people: dict[str, Any], who: str, status: int
) -> None:
    response = call(who, people, "get", "/api/v1/tickets/board")

    assert response.status_code == status
    if status != 200:
        assert response.json()["error"]["code"] in ("permission_denied", "unauthenticated")


def test_an_operator_reads_the_board(people: dict[str, Any]) -> None:
    operator = make_user("ops@okpay.example", display_name="Ops", role="operator")

    response = get(operator, "/api/v1/tickets/board")

    assert response.status_code == 200


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_staff_assign_and_unassign(people: dict[str, Any], role: str) -> None:
    ticket = _open(people["owner"])
    path = f"/api/v1/tickets/{ticket.number}/assign"

    assigned = post(people[role], path, {"assignee_id": people["agent"].pk})
    ticket.refresh_from_db()
    assignee_after_assign = ticket.assignee
    unassigned = post(people[role], path, {"assignee_id": None})
    ticket.refresh_from_db()

    assert assigned.status_code == 200
    assert (assigned.json()["assignee"], assignee_after_assign) == ("Agent Wu", people["agent"])
    assert (unassigned.status_code, unassigned.json()["assignee"], ticket.assignee) == (
        200,
        None,
        None,
    )
    assert list(
        TicketEvent.objects.filter(ticket=ticket, kind="assigned").values_list("actor", "data")
    ) == [
        (people[role].pk, {"from": "", "to": "agent@okpay.example"}),
        (people[role].pk, {"from": "agent@okpay.example", "to": ""}),
    ]


@pytest.mark.parametrize("target", ["customer", "inactive_agent", "missing"])
def test_assigning_to_someone_not_staff_is_refused(people: dict[str, Any], target: str) -> None:
    ticket = _open(people["owner"])
    ids = {
        "customer": people["other"].pk,
        "inactive_agent": make_user("gone@okpay.example", role="agent", is_active=False).pk,
        "missing": 987654,
    }
    before = _snapshot(ticket)

    response = post(
        people["agent"], f"/api/v1/tickets/{ticket.number}/assign", {"assignee_id": ids[target]}
    )

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "assignee_invalid",
        "assignee_id",
    )
    assert _snapshot(ticket) == before


def test_assign_needs_the_assignee_field(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])

    response = post(people["agent"], f"/api/v1/tickets/{ticket.number}/assign", {})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "assignee_id"


def test_staff_change_status_priority_category_and_team(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    ticket = _open(people["owner"])
    bearer(people["agent"]), bearer(people["supervisor"])
    mail.outbox.clear()
    path = f"/api/v1/tickets/{ticket.number}"

    with django_capture_on_commit_callbacks(execute=True):
        held = patch(people["agent"], path, {"status": "on_hold", "priority": "high"})
        moved = patch(people["agent"], path, {"category": "security", "team": "security"})
        solved = patch(people["supervisor"], path, {"status": "solved"})

    assert [r.status_code for r in (held, moved, solved)] == [200, 200, 200]
    assert (held.json()["status"], held.json()["priority"], held.json()["sla_state"]) == (
        "on_hold",
        "high",
        "paused",
    )
    assert (moved.json()["category"], moved.json()["team"]) == ("security", "security")
    assert (solved.json()["status"], solved.json()["sla_state"]) == ("solved", "met")
    assert list(
        TicketEvent.objects.filter(
            ticket=ticket, kind__in=["status", "priority", "category", "team"]
        ).values_list("kind", "data")
    ) == [
        ("status", {"from": "new", "to": "on_hold"}),
        ("priority", {"from": "normal", "to": "high"}),
        ("category", {"from": "topup_delayed", "to": "security"}),
        ("team", {"from": "payments", "to": "security"}),
        ("status", {"from": "on_hold", "to": "solved"}),
    ]
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]  # the rating request


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"priority": "critical"}, "priority"),
        ({"team": "marketing"}, "team"),
        ({"assignee_id": 1}, "assignee_id"),
        ({"status": 3}, "status"),
    ],
)
def test_bad_changes_are_refused_and_nothing_changes(
    people: dict[str, Any], payload: dict[str, Any], field: str
) -> None:
    ticket = _open(people["owner"])
    before = _snapshot(ticket)

    response = patch(people["agent"], f"/api/v1/tickets/{ticket.number}", payload)

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "invalid_request",
        field,
    )
    assert _snapshot(ticket) == before


def test_an_empty_change_changes_nothing(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])
    before = _snapshot(ticket)

    response = patch(people["agent"], f"/api/v1/tickets/{ticket.number}", {})

    assert (response.status_code, response.json()["status"]) == (200, "new")
    assert _snapshot(ticket) == before


def test_staff_link_the_requesters_transaction_once(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    ticket = _open(people["owner"])
    txn = failed_payment(people["owner"], ticket_settings)
    path = f"/api/v1/tickets/{ticket.number}/transactions"

    first = post(people["agent"], path, {"reference": txn.reference})
    again = post(people["agent"], path, {"reference": txn.reference})

    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["transactions"] == again.json()["transactions"] == [txn.reference]
    assert list(
        TicketEvent.objects.filter(ticket=ticket, kind="transaction_linked").values_list(
            "actor", "data"
        )
    ) == [(people["agent"].pk, {"reference": txn.reference})]
    assert AuditEvent.objects.filter(action="support.ticket_link_transaction").count() == 1


@pytest.mark.parametrize("case", ["another_customers", "unknown", "guest_ticket"])
def test_linking_a_transaction_that_is_not_the_requesters_is_refused(
    people: dict[str, Any], ticket_settings: Any, case: str
) -> None:
    strangers = failed_payment(people["other"], ticket_settings)
    if case == "guest_ticket":
        ticket = ticket_create(requester=None, email="bob@example.com", subject="Hi", body="Hi")
    else:
        ticket = _open(people["owner"])
    reference = "TX-NOPE" if case == "unknown" else strangers.reference
    before = _snapshot(ticket)

    response = post(
        people["agent"], f"/api/v1/tickets/{ticket.number}/transactions", {"reference": reference}
    )

    assert response.status_code == 404
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "transaction_not_found",
        "reference",
    )
    assert _snapshot(ticket) == before


def test_staff_merge_a_duplicate(people: dict[str, Any]) -> None:
    duplicate = _open(people["owner"], subject="Top-up (again)")
    original = _open(people["owner"])

    response = post(
        people["agent"],
        f"/api/v1/tickets/{duplicate.number}/merge",
        {"target": original.number.lower()},
    )

    assert response.status_code == 200
    assert response.json()["number"] == original.number
    duplicate.refresh_from_db()
    assert (duplicate.merged_into, duplicate.status) == (original, "closed")
    assert original.messages.count() == 2


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("missing", 404, "ticket_not_found"),
        ("other_customer", 400, "merge_invalid"),
        ("itself", 400, "merge_invalid"),
    ],
)
def test_bad_merges_are_refused_and_nothing_changes(
    people: dict[str, Any], case: str, status: int, code: str
) -> None:
    source = _open(people["owner"])
    strangers = _open(people["other"])
    target = {"missing": "T-999999", "other_customer": strangers.number, "itself": source.number}
    before = (_snapshot(source), _snapshot(strangers))

    response = post(
        people["agent"], f"/api/v1/tickets/{source.number}/merge", {"target": target[case]}
    )

    assert response.status_code == status
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, "target")
    assert (_snapshot(source), _snapshot(strangers)) == before


def test_canned_replies_filter_by_category(people: dict[str, Any]) -> None:
    CannedReply.objects.create(title="Any", body_zh="您好", body_en="Hello")
    CannedReply.objects.create(
        title="Fees", body_zh="费用说明", body_en="About fees", category="fees"
    )
    CannedReply.objects.create(
        title="Security", body_zh="安全", body_en="Security", category="security"
    )
    CannedReply.objects.create(title="Old", body_zh="旧", body_en="Old", active=False)

    everything = get(people["agent"], "/api/v1/tickets/canned-replies").json()["data"]
    for_fees = get(people["agent"], "/api/v1/tickets/canned-replies?category=fees").json()["data"]

    assert [c["title"] for c in everything] == ["Any", "Fees", "Security"]
    assert for_fees == [
        {
            "id": for_fees[0]["id"],
            "title": "Any",
            "category": "",
            "body_zh": "您好",
            "body_en": "Hello",
        },
        {
            "id": for_fees[1]["id"],
            "title": "Fees",
            "category": "fees",
            "body_zh": "费用说明",
            "body_en": "About fees",
        },
    ]


def test_the_customer_context_is_masked_and_its_viewing_logged(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    txn = failed_payment(people["owner"], ticket_settings)
    txn.recipient = {"name": "Li Lei", "iban": "DE89 3704 0044 0532 0130 00"}
    txn.save(update_fields=["recipient"])
    ticket = ticket_create(
        requester=people["owner"],
        subject="Transfer",
        body="Where is it?",
        category="international_transfer",
        transactions=[txn],
    )
    other_open = _open(people["owner"], subject="Second question")

    response = get(people["supervisor"], f"/api/v1/tickets/{ticket.number}/context")

    assert response.status_code == 200
    body = response.json()
    assert body["customer"]["email"] == "alice@example.com"
    assert body["customer"]["email_verified"] is True
    assert [t["reference"] for t in body["linked_transactions"]] == [txn.reference]
    assert body["linked_transactions"][0]["recipient_account"] == "•••• 3000"
    assert "DE89" not in response.content.decode()
    assert [t["number"] for t in body["open_tickets"]] == [other_open.number]
    audit = AuditEvent.objects.filter(action="support.customer_data_view").get()
    assert (audit.actor, audit.object_id, audit.data) == (
        people["supervisor"],
        ticket.number,
        {"what": "context", "customer": "alice@example.com"},
    )


def test_a_guests_context_has_no_account(people: dict[str, Any]) -> None:
    ticket = ticket_create(requester=None, email="g@example.net", subject="Hi", body="Hi")

    body = get(people["agent"], f"/api/v1/tickets/{ticket.number}/context").json()

    assert (body["customer"], body["requester_email"], body["linked_transactions"]) == (
        None,
        "g@example.net",
        [],
    )


def test_the_board_counts_sla_states_statuses_priorities_and_breaches(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    # Given open tickets in each SLA state on a Wednesday noon, one solved, one unconfirmed
    owner, agent = people["owner"], people["agent"]
    with time_machine.travel(_at(2026, 9, 28, 8), tick=False):
        late = _open(owner, subject="late")  # first response due Tuesday 08:00
    with time_machine.travel(_at(2026, 9, 29, 15), tick=False):
        at_risk = _open(owner, subject="at risk", category="security")  # due Wednesday 15:00
    with time_machine.travel(_at(2026, 9, 30, 12), tick=False):
        _open(owner, subject="fresh")
        paused = _open(owner, subject="paused")
        ticket_reply(ticket=paused, author=agent, body="Which card?")
        solved = _open(owner, subject="solved")
        ticket_update(ticket=solved, actor=agent, status="solved")
        ticket_create(requester=None, email="g@example.net", subject="x", body="x", confirmed=False)
        run = sla_escalate_due()

        body = get(people["supervisor"], "/api/v1/tickets/board").json()

    assert (run.escalated, run.breaches) == (2, 1)
    assert body["sla"] == {"ok": 1, "at_risk": 1, "breached": 1, "paused": 1}
    assert body["status"] == {
        "new": 4,
        "open": 0,
        "pending_customer": 1,
        "on_hold": 0,
        "solved": 1,
        "closed": 0,
    }
    # the late and at-risk tickets were escalated one step; security starts high
    assert body["priority"] == {"low": 0, "normal": 2, "high": 1, "urgent": 1}
    assert body["breaches"] == {"first_response": 1, "resolution": 0}
    assert [(b["ticket"], b["target"]) for b in body["recent_breaches"]] == [
        (late.number, "first_response")
    ]
    assert at_risk.number not in {b["ticket"] for b in body["recent_breaches"]}
    assert body["generated_at"] == "2026-09-30T04:00:00Z"


def test_every_agent_endpoint_is_documented(people: dict[str, Any]) -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    expected = {
        ("/api/v1/tickets/{number}", "patch"),
        ("/api/v1/tickets/{number}/assign", "post"),
        ("/api/v1/tickets/{number}/transactions", "post"),
        ("/api/v1/tickets/{number}/merge", "post"),
        ("/api/v1/tickets/{number}/context", "get"),
        ("/api/v1/tickets/canned-replies", "get"),
        ("/api/v1/tickets/board", "get"),
    }

    for path, method in expected:
        operation = paths[path][method]
        assert operation["summary"], (path, method)
        responses = operation["responses"]
        assert {"200", "400", "401", "403", "404"} <= set(responses), (path, method)
        assert "$ref" in str(responses["200"]["content"]["application/json"]["schema"])
        assert "ErrorOut" in str(responses["403"]["content"]["application/json"]["schema"])
