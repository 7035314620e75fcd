"""The callbacks API: permission matrix, each endpoint's happy path, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from okpay.identity.client import NO_CLIENT
from okpay.identity.services import personal_token_create, step_up_verify
from okpay.identity.tests.fixtures import PASSWORD
from okpay.notifications.models import OutboundEmail
from okpay.support.models import CallbackRequest, Ticket
from okpay.support.tests.callbacks_fixtures import NOTE_MASKED, NOTE_WITH_CARD, ask, at
from okpay.support.tests.tickets_fixtures import failed_payment, people, ticket_settings

__all__ = ["people", "ticket_settings"]

pytestmark = pytest.mark.django_db

HOLDER = "session:callback-api-tests"
BASE = "/api/v1/callbacks"


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


def post(user: Any, path: str, body: dict[str, Any] | None = None) -> Any:
    return Client().post(path, body or {}, content_type="application/json", **bearer(user))


def _body(**extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "phone": "13800138000",
        "window_start": at(1, "10:00").isoformat(),
        "window_end": at(1, "11:00").isoformat(),
        "topic": "payment_failed",
        "note": NOTE_WITH_CARD,
    }
    values.update(extra)
    return values


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", BASE),
        ("post", BASE),
        ("get", f"{BASE}/queue"),
        ("get", f"{BASE}/CB-000001"),
        ("post", f"{BASE}/CB-000001/cancel"),
        ("post", f"{BASE}/CB-000001/claim"),
        ("post", f"{BASE}/CB-000001/release"),
        ("post", f"{BASE}/CB-000001/verify"),
        ("post", f"{BASE}/CB-000001/complete"),
    ],
)
def test_anonymous_requests_get_401(people: dict[str, Any], method: str, path: str) -> None:
    response = getattr(Client(), method)(path, content_type="application/json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_customer_asks_for_a_call(people: dict[str, Any], ticket_settings: Any) -> None:
    owner = people["owner"]
    txn = failed_payment(owner, ticket_settings)

    response = post(owner, BASE, _body(transaction=txn.reference))

    assert response.status_code == 201
    body = response.json()
    callback = CallbackRequest.objects.get()
    assert body["number"] == callback.number
    assert (body["status"], body["urgency"], body["topic"]) == (
        "requested",
        "normal",
        "payment_failed",
    )
    assert (body["phone"], body["note"], body["transaction"]) == (
        "+8613800138000",
        NOTE_MASKED,
        txn.reference,
    )
    assert (body["window_state"], body["attempts"], body["ticket"]) == ("upcoming", 0, None)
    assert OutboundEmail.objects.filter(template="support/callbacks/email/requested").count() == 1


def test_a_naive_window_is_read_in_the_customers_time_zone(people: dict[str, Any]) -> None:
    start = at(1, "10:00").replace(tzinfo=None).isoformat()
    end = at(1, "11:00").replace(tzinfo=None).isoformat()

    response = post(people["owner"], BASE, _body(window_start=start, window_end=end))

    assert response.status_code == 201
    assert CallbackRequest.objects.get().window_start == at(1, "10:00")


@pytest.mark.parametrize(
    ("extra", "status", "code", "field"),
    [
        ({"phone": "555"}, 400, "phone_invalid", "phone"),
        ({"topic": "lottery"}, 400, "invalid_request", "topic"),
        ({"window_end": at(1, "10:10").isoformat()}, 400, "callback_window_invalid", "window_end"),
        (
            {"window_start": at(1, "05:00").isoformat(), "window_end": at(1, "06:00").isoformat()},
            400,
            "callback_outside_hours",
            "window_start",
        ),
        ({"transaction": "OK-NOT-MINE"}, 404, "not_found", "transaction"),
        ({"extra": 1}, 400, "invalid_request", "extra"),
    ],
)
def test_bad_input_is_refused_with_the_error_object_and_nothing_is_stored(
    people: dict[str, Any], extra: dict[str, Any], status: int, code: str, field: str
) -> None:
    response = post(people["owner"], BASE, _body(**extra))

    assert response.status_code == status
    error = response.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert CallbackRequest.objects.count() == 0
    assert OutboundEmail.objects.filter(template__startswith="support/").count() == 0


def test_a_second_open_request_is_a_conflict(people: dict[str, Any]) -> None:
    first = ask(people["owner"])

    response = post(people["owner"], BASE, _body())

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "callback_already_open"
    assert response.json()["error"]["details"] == {"number": first.number}
    assert CallbackRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status", "phone"),
    [
        ("other", 404, None),
        ("owner", 200, "+8613800138000"),
        ("agent", 200, "+86 *******8000"),
        ("supervisor", 200, "+86 *******8000"),
    ],
)
def test_reading_one_request_permission_matrix(
    people: dict[str, Any], who: str, status: int, phone: str | None
) -> None:
    callback = ask(people["owner"])

    response = get(people[who], f"{BASE}/{callback.number}")

    assert response.status_code == status
    if phone is None:
        assert response.json()["error"]["code"] == "callback_not_found"
    else:
        assert response.json()["phone"] == phone


def test_a_customer_lists_only_their_own_requests(people: dict[str, Any]) -> None:
    mine = ask(people["owner"])
    ask(people["other"])

    body = get(people["owner"], BASE).json()

    assert [c["number"] for c in body["data"]] == [mine.number]
    assert (body["has_more"], body["next_cursor"]) == (False, None)


@pytest.mark.parametrize(
    ("who", "status"),
    [("other", 403), ("owner", 403), ("agent", 200), ("supervisor", 200)],
)
def test_the_queue_is_for_staff(people: dict[str, Any], who: str, status: int) -> None:
    normal = ask(people["owner"], topic="fees")
    urgent = ask(people["other"], topic="security", days=3)

    response = get(people[who], f"{BASE}/queue?limit=1")

    assert response.status_code == status
    if status == 200:
        page = response.json()
        assert ([c["number"] for c in page["data"]], page["next_cursor"]) == (
            [urgent.number],
            urgent.number,
        )
        rest = get(people[who], f"{BASE}/queue?limit=1&starting_after={urgent.number}").json()
        assert ([c["number"] for c in rest["data"]], rest["has_more"]) == ([normal.number], False)
    else:
        assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("who", ["other", "owner"])
def test_customers_cannot_work_the_queue(people: dict[str, Any], who: str) -> None:
    callback = ask(people["owner"])

    answers = [
        post(people[who], f"{BASE}/{callback.number}/claim"),
        post(people[who], f"{BASE}/{callback.number}/release"),
        post(people[who], f"{BASE}/{callback.number}/verify", {"code": "123456"}),
        post(people[who], f"{BASE}/{callback.number}/complete", {"outcome": "resolved"}),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403, 403]
    callback.refresh_from_db()
    assert (callback.status, callback.agent_id, callback.attempts) == ("requested", None, 0)


def test_claim_release_and_complete(people: dict[str, Any]) -> None:
    callback = ask(people["owner"], topic="security")
    agent, supervisor = people["agent"], people["supervisor"]
    url = f"{BASE}/{callback.number}"

    claimed = post(agent, f"{url}/claim")
    lost = post(supervisor, f"{url}/claim")
    released = post(agent, f"{url}/release")
    again = post(agent, f"{url}/claim")
    bad = post(agent, f"{url}/complete", {"outcome": "maybe"})
    done = post(agent, f"{url}/complete", {"outcome": "follow_up", "note": "Call the bank"})

    assert claimed.status_code == 200
    assert (claimed.json()["status"], claimed.json()["phone"]) == ("in_progress", "+8613800138000")
    assert claimed.json()["agent"] == "Agent Wu"
    assert lost.status_code == 409
    assert lost.json()["error"]["code"] == "callback_already_claimed"
    assert released.json()["status"] == "requested"
    assert again.status_code == 200
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "outcome"
    assert done.status_code == 200
    body = done.json()
    ticket = Ticket.objects.get()
    assert (body["status"], body["outcome"], body["ticket"]) == (
        "completed",
        "follow_up",
        ticket.number,
    )
    assert (ticket.status, ticket.assignee_id) == ("open", agent.pk)
    owner_view = get(people["owner"], url).json()
    assert (owner_view["status"], owner_view["ticket"]) == ("completed", ticket.number)


def test_the_owner_cancels_once_and_others_get_404(people: dict[str, Any]) -> None:
    callback = ask(people["owner"])
    url = f"{BASE}/{callback.number}/cancel"

    others = [post(people[who], url) for who in ("other", "agent")]
    cancelled = post(people["owner"], url)
    again = post(people["owner"], url)

    assert [a.status_code for a in others] == [404, 404]
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "callback_not_open")


def test_verify_checks_the_code_for_the_claiming_agent(people: dict[str, Any]) -> None:
    from okpay.identity.services import support_code_issue

    callback = ask(people["owner"])
    issued = support_code_issue(user=people["owner"])
    url = f"{BASE}/{callback.number}"
    post(people["agent"], f"{url}/claim")

    other_agent = post(people["supervisor"], f"{url}/verify", {"code": issued.code})
    verified = post(people["agent"], f"{url}/verify", {"code": issued.code})
    reused = post(people["agent"], f"{url}/verify", {"code": issued.code})

    assert other_agent.status_code == 403
    assert other_agent.json()["error"]["code"] == "callback_not_claimed_by_you"
    assert verified.status_code == 200
    assert (verified.json()["user_id"], verified.json()["email_masked"]) == (
        people["owner"].pk,
        "a***e@example.com",
    )
    assert reused.status_code == 400
    assert reused.json()["error"]["code"] == "support_code_invalid"


def test_the_api_is_documented(people: dict[str, Any]) -> None:
    schema = Client().get("/api/openapi.json").json()

    paths = {p for p in schema["paths"] if p.startswith(BASE)}
    assert paths == {
        BASE,
        f"{BASE}/queue",
        f"{BASE}/{{number}}",
        f"{BASE}/{{number}}/cancel",
        f"{BASE}/{{number}}/claim",
        f"{BASE}/{{number}}/release",
        f"{BASE}/{{number}}/verify",
        f"{BASE}/{{number}}/complete",
    }
    assert schema["paths"][f"{BASE}/{{number}}/claim"]["post"]["summary"].startswith(
        "Staff: take a waiting request"
    )
