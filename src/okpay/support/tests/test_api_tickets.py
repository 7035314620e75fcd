"""The tickets API: permission matrix, each endpoint's happy path, notes, bad input."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from okpay.identity.client import NO_CLIENT
from okpay.identity.services import personal_token_create, step_up_verify
from okpay.identity.tests.fixtures import PASSWORD
from okpay.support.models import Ticket, TicketMessage
from okpay.support.services.tickets import ticket_create, ticket_reply, ticket_update
from okpay.support.tests.tickets_fixtures import (
    client_for,
    failed_payment,
    people,
    ticket_settings,
)

__all__ = ["people", "ticket_settings"]

pytestmark = pytest.mark.django_db

HOLDER = "session:ticket-api-tests"


def bearer(user: Any) -> dict[str, Any]:
    """A personal API token of ``user`` (made once per user object)."""
    if not hasattr(user, "_test_token"):
        step_up_verify(user=user, holder=HOLDER, client=NO_CLIENT, password=PASSWORD)
        user._test_token = personal_token_create(
            user=user, name="tests", expires_in_days=30, holder=HOLDER, client=NO_CLIENT
        )
    return {"HTTP_AUTHORIZATION": f"Bearer {user._test_token.secret}"}


def get(user: Any, path: str) -> Any:
    return Client().get(path, **bearer(user))


def post(user: Any, path: str, body: dict[str, Any]) -> Any:
    return Client().post(path, body, content_type="application/json", **bearer(user))


def _open(user: Any, subject: str = "Card top-up missing", **extra: Any) -> Ticket:
    values: dict[str, Any] = {"body": "My top-up has not arrived.", "category": "topup_delayed"}
    values.update(extra)
    return ticket_create(requester=user, subject=subject, **values)


def _solve(ticket: Ticket, agent: Any) -> None:
    ticket_reply(ticket=ticket, author=agent, body="The bank returned it.", status="solved")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/tickets"),
        ("post", "/api/v1/tickets"),
        ("get", "/api/v1/tickets/T-000001"),
        ("post", "/api/v1/tickets/T-000001/replies"),
        ("post", "/api/v1/tickets/T-000001/rating"),
    ],
)
def test_anonymous_requests_get_401(people: dict[str, Any], method: str, path: str) -> None:
    response = getattr(Client(), method)(path, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_another_customer_gets_404_for_every_ticket_endpoint(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])
    _solve(ticket, people["agent"])
    base = f"/api/v1/tickets/{ticket.number}"
    messages_before = TicketMessage.objects.filter(ticket=ticket).count()

    answers = [
        get(people["other"], base),
        post(people["other"], f"{base}/replies", {"body": "Let me in"}),
        post(people["other"], f"{base}/rating", {"rating": 1}),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert {a.json()["error"]["code"] for a in answers} == {"ticket_not_found"}
    assert TicketMessage.objects.filter(ticket=ticket).count() == messages_before
    ticket.refresh_from_db()
    assert ticket.csat_rating is None
    assert get(people["other"], "/api/v1/tickets").json()["data"] == []


@pytest.mark.parametrize("role", ["owner", "agent", "supervisor"])
def test_owner_and_staff_read_the_ticket(people: dict[str, Any], role: str) -> None:
    ticket = _open(people["owner"])

    response = get(people[role], f"/api/v1/tickets/{ticket.number}")

    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["subject"], body["status"]) == (
        ticket.number,
        "Card top-up missing",
        "new",
    )
    assert [m["body"] for m in body["messages"]] == ["My top-up has not arrived."]


def test_a_customer_lists_only_their_own_tickets(people: dict[str, Any]) -> None:
    mine = _open(people["owner"])
    _open(people["other"], subject="Not Alice's")

    body = get(people["owner"], "/api/v1/tickets").json()

    assert [t["number"] for t in body["data"]] == [mine.number]
    assert (body["has_more"], body["next_cursor"]) == (False, None)


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_staff_list_every_ticket_with_filters(people: dict[str, Any], role: str) -> None:
    topup = _open(people["owner"])
    security = _open(people["other"], subject="Strange login", category="security")

    everything = get(people[role], "/api/v1/tickets").json()
    only_security = get(people[role], "/api/v1/tickets?category=security").json()
    only_high = get(people[role], "/api/v1/tickets?priority=high").json()
    solved = get(people[role], "/api/v1/tickets?status=solved").json()

    assert sorted(t["number"] for t in everything["data"]) == sorted(
        [topup.number, security.number]
    )
    assert [t["number"] for t in only_security["data"]] == [security.number]
    assert [t["number"] for t in only_high["data"]] == [security.number]
    assert solved["data"] == []


def test_staff_filter_by_assignee(people: dict[str, Any]) -> None:
    assigned = _open(people["owner"])
    _open(people["other"])
    ticket_update(ticket=assigned, actor=people["supervisor"], assignee=people["agent"])

    mine = get(people["agent"], "/api/v1/tickets?assignee=me").json()

    assert [t["number"] for t in mine["data"]] == [assigned.number]
    assert mine["data"][0]["assignee"] == "Agent Wu"


def test_the_list_pages_with_a_cursor(people: dict[str, Any]) -> None:
    numbers = [_open(people["owner"], subject=f"Question {i}").number for i in range(3)]
    newest_first = list(reversed(numbers))

    first = get(people["owner"], "/api/v1/tickets?limit=2").json()
    second = get(
        people["owner"], f"/api/v1/tickets?limit=2&starting_after={first['next_cursor']}"
    ).json()

    assert [t["number"] for t in first["data"]] == newest_first[:2]
    assert (first["has_more"], first["next_cursor"]) == (True, newest_first[1])
    assert [t["number"] for t in second["data"]] == newest_first[2:]
    assert (second["has_more"], second["next_cursor"]) == (False, None)


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=0", "limit"), ("limit=101", "limit"), ("starting_after=T-999999", "starting_after")],
)
def test_bad_list_parameters_answer_400(people: dict[str, Any], query: str, field: str) -> None:
    _open(people["owner"])

    response = get(people["owner"], f"/api/v1/tickets?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_a_customer_opens_a_ticket_about_a_failed_payment(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    txn = failed_payment(people["owner"], ticket_settings)

    response = post(
        people["owner"],
        "/api/v1/tickets",
        {
            "subject": "Top-up rejected",
            "category": "payment_failed",
            "body": "The bank rejected my top-up.",
            "transaction": txn.reference,
        },
    )

    assert response.status_code == 201
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert (ticket.requester, ticket.via, ticket.category, ticket.team) == (
        people["owner"],
        "api",
        "payment_failed",
        "payments",
    )
    assert body["transactions"] == [txn.reference]
    assert list(ticket.transactions.values_list("reference", flat=True)) == [txn.reference]
    assert [m["body"] for m in body["messages"]] == ["The bank rejected my top-up."]


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        ({"category": "other", "body": "Hi"}, 400, "invalid_request", "subject"),
        ({"subject": "Hi", "category": "bogus", "body": "Hi"}, 400, "invalid_request", "category"),
        ({"subject": "Hi", "category": "other", "body": "   "}, 400, "message_empty", "body"),
        ({"subject": "Hi", "category": "other"}, 400, "message_empty", "body"),
        (
            {"subject": "Hi", "category": "other", "body": "Hi", "amount": 5},
            400,
            "invalid_request",
            "amount",
        ),
        (
            {"subject": "Hi", "category": "other", "body": "Hi", "transaction": "TX-NOPE"},
            404,
            "not_found",
            "transaction",
        ),
    ],
)
def test_bad_ticket_input_is_refused_and_nothing_is_created(
    people: dict[str, Any], payload: dict[str, Any], status: int, code: str, field: str
) -> None:
    response = post(people["owner"], "/api/v1/tickets", payload)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["field"] == field
    assert Ticket.objects.count() == 0


def test_another_customers_transaction_cannot_be_linked(
    people: dict[str, Any], ticket_settings: Any
) -> None:
    txn = failed_payment(people["other"], ticket_settings)

    response = post(
        people["owner"],
        "/api/v1/tickets",
        {"subject": "Hi", "category": "other", "body": "Hi", "transaction": txn.reference},
    )

    assert response.status_code == 404
    assert response.json()["error"]["field"] == "transaction"
    assert Ticket.objects.count() == 0


def test_internal_notes_are_hidden_from_the_customer(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])
    path = f"/api/v1/tickets/{ticket.number}"

    note = post(people["agent"], f"{path}/replies", {"body": "Bank says Friday.", "internal": True})
    customer_view = get(people["owner"], path).json()
    supervisor_view = get(people["supervisor"], path).json()

    assert note.status_code == 201
    assert [(m["kind"], m["body"]) for m in note.json()["messages"]] == [
        ("public", "My top-up has not arrived."),
        ("internal", "Bank says Friday."),
    ]
    assert [m["body"] for m in customer_view["messages"]] == ["My top-up has not arrived."]
    assert [(m["kind"], m["body"]) for m in supervisor_view["messages"]] == [
        ("public", "My top-up has not arrived."),
        ("internal", "Bank says Friday."),
    ]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_responded_at) == ("new", None)


def test_an_agent_replies_and_the_customer_answers(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])
    path = f"/api/v1/tickets/{ticket.number}/replies"

    agent_reply = post(people["agent"], path, {"body": "Which card did you use?"})
    ticket.refresh_from_db()
    status_after_agent = ticket.status
    customer_reply = post(people["owner"], path, {"body": "The Visa ending 4242."})
    ticket.refresh_from_db()

    assert (agent_reply.status_code, customer_reply.status_code) == (201, 201)
    assert status_after_agent == "pending_customer"
    assert ticket.status == "open"
    assert [
        (m["from_staff"], m["author"], m["body"]) for m in customer_reply.json()["messages"]
    ] == [
        (False, "Alice Zhang", "My top-up has not arrived."),
        (True, "Agent Wu", "Which card did you use?"),
        (False, "Alice Zhang", "The Visa ending 4242."),
    ]


def test_a_customer_cannot_write_an_internal_note(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])

    response = post(
        people["owner"],
        f"/api/v1/tickets/{ticket.number}/replies",
        {"body": "Secret", "internal": True},
    )

    assert response.status_code == 403
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "permission_denied",
        "internal",
    )
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"internal": False}, "message_empty", "body"),
        ({"body": "   "}, "message_empty", "body"),
        ({"body": "Hi", "internal": "maybe"}, "invalid_request", "internal"),
    ],
)
def test_a_bad_reply_is_refused_and_nothing_changes(
    people: dict[str, Any], payload: dict[str, Any], code: str, field: str
) -> None:
    ticket = _open(people["owner"])

    response = post(people["owner"], f"/api/v1/tickets/{ticket.number}/replies", payload)

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (code, field)
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_the_customer_rates_a_solved_ticket(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])
    _solve(ticket, people["agent"])

    response = post(
        people["owner"],
        f"/api/v1/tickets/{ticket.number}/rating",
        {"rating": 5, "comment": "Quick and clear."},
    )

    assert response.status_code == 200
    assert (response.json()["csat_rating"], response.json()["can_rate"]) == (5, False)
    ticket.refresh_from_db()
    assert (ticket.csat_rating, ticket.csat_comment) == (5, "Quick and clear.")


def test_an_open_ticket_cannot_be_rated(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])

    response = post(people["owner"], f"/api/v1/tickets/{ticket.number}/rating", {"rating": 4})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "rating_not_allowed"
    ticket.refresh_from_db()
    assert ticket.csat_rating is None


@pytest.mark.parametrize("rating", [0, 6, "five"])
def test_a_rating_outside_1_to_5_is_refused(people: dict[str, Any], rating: Any) -> None:
    ticket = _open(people["owner"])
    _solve(ticket, people["agent"])

    response = post(people["owner"], f"/api/v1/tickets/{ticket.number}/rating", {"rating": rating})

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "invalid_request",
        "rating",
    )
    ticket.refresh_from_db()
    assert (ticket.csat_rating, ticket.csat_at) == (None, None)


def test_staff_cannot_rate_for_the_customer(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])
    _solve(ticket, people["agent"])

    response = post(people["agent"], f"/api/v1/tickets/{ticket.number}/rating", {"rating": 5})

    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.csat_rating is None


def test_a_session_write_needs_the_csrf_token(people: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(email=people["owner"].email, password=PASSWORD)
    payload = {"subject": "Hi", "category": "other", "body": "Hello"}

    listed = client.get("/api/v1/tickets")
    refused = client.post("/api/v1/tickets", payload, content_type="application/json")
    client.get("/support/tickets/new/")
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/tickets", payload, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    assert listed.status_code == 200
    assert refused.status_code == 403
    assert accepted.status_code == 201
    assert Ticket.objects.count() == 1


def test_the_session_client_helper_reads_tickets(people: dict[str, Any]) -> None:
    ticket = _open(people["owner"])

    response = client_for(people["owner"]).get(f"/api/v1/tickets/{ticket.number}")

    assert response.status_code == 200
    assert response.json()["number"] == ticket.number


# --- The list in the database: order, cursor, filters, query count -------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY_NOON = datetime(2026, 9, 30, 12, tzinfo=SHANGHAI)


def _numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [t["number"] for t in response.json()["data"]]


def _desk(people: dict[str, Any]) -> dict[str, Ticket]:
    """Tickets in every SLA state on Wednesday noon (first response: 24 business hours)."""
    owner, other, agent = people["owner"], people["other"], people["agent"]
    made: dict[str, Ticket] = {}
    for name, when, user, extra in (
        ("breached", datetime(2026, 9, 28, 8, tzinfo=SHANGHAI), owner, {}),
        ("at_risk", datetime(2026, 9, 29, 15, tzinfo=SHANGHAI), other, {"category": "security"}),
        ("paused_old", datetime(2026, 9, 29, 9, tzinfo=SHANGHAI), owner, {}),
        ("ok_early", datetime(2026, 9, 30, 10, tzinfo=SHANGHAI), other, {}),
        ("ok_late", datetime(2026, 9, 30, 11, tzinfo=SHANGHAI), owner, {}),
        ("paused_new", datetime(2026, 9, 30, 11, 30, tzinfo=SHANGHAI), other, {}),
        ("solved", datetime(2026, 9, 30, 11, 45, tzinfo=SHANGHAI), owner, {}),
    ):
        with time_machine.travel(when, tick=False):
            made[name] = _open(user, subject=name, **extra)
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        ticket_reply(ticket=made["paused_old"], author=agent, body="Which card?")
        ticket_reply(ticket=made["paused_new"], author=agent, body="Which bank?")
        ticket_update(ticket=made["solved"], actor=agent, status="solved")
        ticket_update(ticket=made["ok_late"], actor=agent, assignee=agent)
    with time_machine.travel(datetime(2026, 9, 30, 11, 50, tzinfo=SHANGHAI), tick=False):
        made["email"] = ticket_create(
            requester=None,
            email="c@example.org",
            subject="by mail",
            body="Hi",
            via="email",
            confirmed=True,
        )
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        ticket_update(ticket=made["email"], actor=agent, status="closed")
    return made


def test_staff_pages_follow_the_sla_due_without_gaps_or_repeats(people: dict[str, Any]) -> None:
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        made = _desk(people)
        pages: list[list[str]] = []
        cursor = ""
        while True:
            answer = get(people["agent"], f"/api/v1/tickets?limit=2&starting_after={cursor}")
            pages.append(_numbers(answer))
            cursor = answer.json()["next_cursor"] or ""
            if not answer.json()["has_more"]:
                break
        everything = _numbers(get(people["agent"], "/api/v1/tickets?status=all&limit=100"))
        states = [t["sla_state"] for t in get(people["agent"], "/api/v1/tickets").json()["data"]]

    names = {t.number: name for name, t in made.items()}
    assert [[names[n] for n in page] for page in pages] == [
        ["breached", "at_risk"],
        ["ok_early", "ok_late"],
        ["paused_new", "paused_old"],
    ]
    assert cursor == ""
    # Finished tickets have no due time: they come last, the newest first.
    assert [names[n] for n in everything][-4:] == ["paused_new", "paused_old", "email", "solved"]
    assert states == ["breached", "at_risk", "ok", "ok", "paused", "paused"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sla=paused", ["paused_new", "paused_old"]),
        ("sla=breached", ["breached"]),
        ("sla=at_risk", ["at_risk"]),
        ("sla=met&status=all", ["email", "solved"]),
        ("status=pending_customer", ["paused_new", "paused_old"]),
        ("status=solved", ["solved"]),
        ("assignee=me", ["ok_late"]),
        ("assignee=none&priority=high", ["at_risk"]),
        ("via=email&status=all", ["email"]),
        ("via=email", []),
        ("via=web&category=security", ["at_risk"]),
    ],
)
def test_staff_filters_run_in_the_database(
    people: dict[str, Any], query: str, expected: list[str]
) -> None:
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        made = _desk(people)
        answer = get(people["agent"], f"/api/v1/tickets?{query}")

    names = {t.number: name for name, t in made.items()}
    assert [names[n] for n in _numbers(answer)] == expected


def test_staff_filter_by_a_user_id(people: dict[str, Any]) -> None:
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        made = _desk(people)
        answer = get(people["supervisor"], f"/api/v1/tickets?assignee={people['agent'].pk}")

    assert _numbers(answer) == [made["ok_late"].number]


def test_a_customer_filters_their_own_tickets_by_status(people: dict[str, Any]) -> None:
    with time_machine.travel(WEDNESDAY_NOON, tick=False):
        made = _desk(people)
        solved = _numbers(get(people["owner"], "/api/v1/tickets?status=solved"))
        waiting = _numbers(get(people["owner"], "/api/v1/tickets?status=pending_customer"))
        active = _numbers(get(people["owner"], "/api/v1/tickets?status=active"))
        everything = get(people["owner"], "/api/v1/tickets").json()

    assert solved == [made["solved"].number]
    assert waiting == [made["paused_old"].number]
    assert sorted(active) == sorted(made[n].number for n in ("breached", "paused_old", "ok_late"))
    assert len(everything["data"]) == 4
    assert {t["sla_state"] for t in everything["data"]} == {None}


@pytest.mark.parametrize(
    "query", ["category=fees", "priority=high", "assignee=me", "sla=ok", "via=web"]
)
def test_a_customer_cannot_use_the_staff_filters(people: dict[str, Any], query: str) -> None:
    _open(people["owner"])

    response = get(people["owner"], f"/api/v1/tickets?{query}")

    assert response.status_code == 403
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "permission_denied",
        query.split("=")[0],
    )


@pytest.mark.parametrize(
    "query",
    ["status=lost", "category=pets", "priority=asap", "assignee=bob", "sla=late", "via=fax"],
)
@pytest.mark.parametrize("role", ["owner", "agent"])
def test_unknown_filter_values_answer_400(people: dict[str, Any], query: str, role: str) -> None:
    _open(people["owner"])

    response = get(people[role], f"/api/v1/tickets?{query}")

    assert response.status_code == 400
    assert (response.json()["error"]["code"], response.json()["error"]["field"]) == (
        "filter_invalid",
        query.split("=")[0],
    )


def test_a_cursor_naming_another_customers_ticket_is_refused(people: dict[str, Any]) -> None:
    _open(people["owner"])
    strangers = _open(people["other"])

    response = get(people["owner"], f"/api/v1/tickets?starting_after={strangers.number}")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "starting_after"


@pytest.mark.parametrize("role", ["owner", "agent"])
def test_the_list_takes_the_same_number_of_queries_for_3_or_9_tickets(
    people: dict[str, Any], ticket_settings: Any, role: str
) -> None:
    txn = failed_payment(people["owner"], ticket_settings)
    headers = bearer(people[role])

    def queries_for_listing(count: int) -> int:
        while Ticket.objects.count() < count:
            ticket = _open(people["owner"], transactions=[txn])
            ticket_update(ticket=ticket, actor=people["agent"], assignee=people["agent"])
        client = Client()
        client.get("/api/v1/tickets?limit=1", **headers)  # the token's first use is recorded
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/tickets?limit=100", **headers)
        assert len(response.json()["data"]) == count
        assert response.json()["data"][0]["transactions"] == [txn.reference]
        return len(captured.captured_queries)

    assert queries_for_listing(3) == queries_for_listing(9)
