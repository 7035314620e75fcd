"""The operator ledger API at /api/v1/ledger: happy paths, permissions, bad input, paging."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.http import HttpResponse, HttpResponseNotAllowed
from django.test import Client, RequestFactory
from django.utils import timezone

from okpay.config.api import _with_json_errors
from okpay.identity.models import ApiToken, AuditEvent, Role, TokenKind, User
from okpay.identity.services import token_create, token_revoke
from okpay.ledger.models import Account, Transfer
from okpay.ledger.tests.fixtures import (
    T0,
    WALLET_LIMIT,
    Fund,
    LedgerSnapshot,
    MakeAccount,
    Totals,
    ledger_snapshot,
    post,
    submit,
    totals,
    transfer,
    void,
)
from okpay.ledger.types import CreateTransferResult as R
from okpay.ledger.types import TransferFlag, TransferSpec

pytestmark = pytest.mark.django_db

BASE = "/api/v1/ledger"
ACCOUNTS = f"{BASE}/accounts"
TRANSFERS = f"{BASE}/transfers"
FEES = "ops:fee_revenue:CNY"
ALICE = "wallet:alice.zhang@example.com"
UNAUTHENTICATED = {
    "error": {
        "code": "unauthenticated",
        "message": "Send a valid API token: Authorization: Bearer <token>.",
        "field": None,
    }
}


# --- helpers -------------------------------------------------------------------------------


def _headers(authorization: str | None) -> dict[str, str]:
    headers = {"Accept-Language": "en"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return headers


def api_get(client: Client, path: str, secret: str | None) -> HttpResponse:
    auth = None if secret is None else f"Bearer {secret}"
    return client.get(path, headers=_headers(auth))


def api_post(client: Client, path: str, body: Any, secret: str | None) -> HttpResponse:
    """POST ``body`` as JSON (``str``/``bytes`` are sent as they are, to send broken JSON)."""
    auth = None if secret is None else f"Bearer {secret}"
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, data=data, content_type="application/json", headers=_headers(auth))


def error(code: str, message: str, field: str | None = None, **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message, "field": field}
    if details:
        body["details"] = details
    return {"error": body}


def account_body(account_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": account_id, "currency": "CNY", "code": "wallet", **fields}


def transfer_body(transfer_id: str, debit: str, credit: str, amount: Any, **fields: Any) -> dict:
    return {
        "id": transfer_id,
        "debit_account_id": debit,
        "credit_account_id": credit,
        "amount": amount,
        "currency": "CNY",
        "code": "fee",
        **fields,
    }


def as_ms(value: datetime) -> datetime:
    """The API writes timestamps with millisecond precision."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def ledger_audit_count() -> int:
    return AuditEvent.objects.filter(action__startswith="ledger.").count()


@pytest.fixture
def operator() -> tuple[str, ApiToken]:
    issued = token_create(name="ops", kind=TokenKind.OPERATOR)
    return issued.secret, issued.token


@pytest.fixture
def secret(operator: tuple[str, ApiToken]) -> str:
    return operator[0]


@pytest.fixture
def books(make_account: MakeAccount, fund: Fund) -> None:
    """CNY books: a fee account and Alice's wallet funded with 1,000.00."""
    make_account(FEES, currency="CNY", code="fee_revenue")
    make_account(ALICE, currency="CNY", code="wallet", flags=WALLET_LIMIT)
    fund(ALICE, 100_000)


# --- POST /accounts ------------------------------------------------------------------------


def test_create_accounts_returns_one_result_per_account(
    client: Client, operator: tuple[str, ApiToken]
) -> None:
    secret, token = operator
    body = {
        "accounts": [
            account_body(FEES, code="fee_revenue"),
            account_body(
                ALICE, flags=["debits_must_not_exceed_credits"], metadata={"owner": "张三"}
            ),
        ]
    }

    response = api_post(client, ACCOUNTS, body, secret)

    assert response.status_code == 200
    assert response.json() == {
        "results": [{"id": FEES, "status": "created"}, {"id": ALICE, "status": "created"}]
    }
    alice = Account.objects.get(pk=ALICE)
    assert (alice.currency, alice.code, alice.flags, alice.metadata) == (
        "CNY",
        "wallet",
        ["debits_must_not_exceed_credits"],
        {"owner": "张三"},
    )
    event = AuditEvent.objects.get(action="ledger.accounts_created")
    assert event.actor_token == token
    assert event.actor is None
    assert event.data == {"created_ids": [FEES, ALICE], "created": 2}


def test_create_accounts_is_idempotent(client: Client, secret: str) -> None:
    body = {"accounts": [account_body(FEES, code="fee_revenue")]}
    assert api_post(client, ACCOUNTS, body, secret).status_code == 200

    again = api_post(client, ACCOUNTS, body, secret)
    changed = api_post(client, ACCOUNTS, {"accounts": [account_body(FEES, code="other")]}, secret)

    assert again.json() == {"results": [{"id": FEES, "status": "exists"}]}
    assert changed.json() == {"results": [{"id": FEES, "status": "exists_with_different_fields"}]}
    assert Account.objects.get(pk=FEES).code == "fee_revenue"


def test_create_accounts_reports_ledger_refusals_per_account(client: Client, secret: str) -> None:
    body = {
        "accounts": [
            account_body("a:1", currency="XYZ"),
            account_body("a:2", flags=["no_such_flag"]),
            account_body("a:3", code=""),
            account_body("a:4"),
        ]
    }

    response = api_post(client, ACCOUNTS, body, secret)

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"id": "a:1", "status": "currency_not_supported"},
            {"id": "a:2", "status": "unknown_flag"},
            {"id": "a:3", "status": "code_must_not_be_empty"},
            {"id": "a:4", "status": "created"},
        ]
    }
    assert list(Account.objects.filter(id__startswith="a:").values_list("id", flat=True)) == ["a:4"]


# --- POST /transfers -----------------------------------------------------------------------


@pytest.mark.usefixtures("books")
def test_create_transfers_posts_and_writes_one_audit_row(
    client: Client, operator: tuple[str, ApiToken]
) -> None:
    secret, token = operator
    body = {
        "transfers": [
            transfer_body("fee-1", ALICE, FEES, 250, metadata={"order": "A-1"}),
            transfer_body("fee-2", ALICE, FEES, 150),
        ]
    }

    response = api_post(client, TRANSFERS, body, secret)

    assert response.status_code == 200
    assert response.json() == {
        "results": [{"id": "fee-1", "status": "created"}, {"id": "fee-2", "status": "created"}]
    }
    assert totals(ALICE) == Totals(debits_posted=400, credits_posted=100_000)
    assert totals(FEES) == Totals(credits_posted=400)
    assert Transfer.objects.get(pk="fee-1").metadata == {"order": "A-1"}
    event = AuditEvent.objects.get(action="ledger.transfers_created")
    assert event.actor_token == token
    assert event.data == {"submitted": 2, "created": 2, "created_ids": ["fee-1", "fee-2"]}


@pytest.mark.usefixtures("books")
def test_create_transfers_by_an_operator_user_records_the_user(client: Client) -> None:
    user = User.objects.create_user("ops@example.com", role=Role.OPERATOR)
    issued = token_create(name="laptop", kind=TokenKind.PERSONAL, user=user)

    response = api_post(
        client, TRANSFERS, {"transfers": [transfer_body("fee-1", ALICE, FEES, 1)]}, issued.secret
    )

    assert response.json() == {"results": [{"id": "fee-1", "status": "created"}]}
    event = AuditEvent.objects.get(action="ledger.transfers_created")
    assert (event.actor, event.actor_token) == (user, issued.token)


@pytest.mark.usefixtures("books")
def test_create_transfers_is_idempotent(client: Client, secret: str) -> None:
    body = {"transfers": [transfer_body("fee-1", ALICE, FEES, 250)]}
    assert api_post(client, TRANSFERS, body, secret).status_code == 200

    response = api_post(client, TRANSFERS, body, secret)

    assert response.json() == {"results": [{"id": "fee-1", "status": "exists"}]}
    assert totals(FEES) == Totals(credits_posted=250)


@pytest.mark.usefixtures("books")
def test_negative_and_overdrawing_amounts_are_refused_per_transfer(
    client: Client, secret: str
) -> None:
    # A well-formed request: the ledger judges each transfer and names its reason.
    before = ledger_snapshot()
    body = {
        "transfers": [
            transfer_body("neg", ALICE, FEES, -5),
            transfer_body("zero", ALICE, FEES, 0),
            transfer_body("big", ALICE, FEES, 100_001),
            transfer_body("huge", ALICE, FEES, 2**70),
        ]
    }

    response = api_post(client, TRANSFERS, body, secret)

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"id": "neg", "status": "amount_must_not_be_negative"},
            {"id": "zero", "status": "amount_must_not_be_zero"},
            {"id": "big", "status": "exceeds_credits"},
            {"id": "huge", "status": "overflows_debits"},
        ]
    }
    assert ledger_snapshot() == before


@pytest.mark.usefixtures("books")
def test_two_phase_transfer_through_the_api(client: Client, secret: str) -> None:
    hold = transfer_body("hold-1", ALICE, FEES, 300, flags=["pending"], timeout_seconds=3600)
    capture = {
        "id": "post-1",
        "pending_id": "hold-1",
        "amount": 200,
        "flags": ["post_pending_transfer"],
    }

    first = api_post(client, TRANSFERS, {"transfers": [hold]}, secret)
    pending = api_get(client, f"{TRANSFERS}/hold-1", secret).json()["pending_status"]
    second = api_post(client, TRANSFERS, {"transfers": [capture]}, secret)

    assert first.json() == {"results": [{"id": "hold-1", "status": "created"}]}
    assert second.json() == {"results": [{"id": "post-1", "status": "created"}]}
    assert pending == "pending"
    assert api_get(client, f"{TRANSFERS}/hold-1", secret).json()["pending_status"] == "posted"
    resolution = api_get(client, f"{TRANSFERS}/post-1", secret).json()
    assert resolution["pending_id"] == "hold-1"
    assert resolution["flags"] == ["post_pending_transfer"]
    assert resolution["pending_status"] is None
    assert totals(FEES) == Totals(credits_posted=200)


@pytest.mark.usefixtures("books")
def test_a_batch_of_exactly_the_limit_is_accepted(client: Client, secret: str) -> None:
    body = {"transfers": [transfer_body(f"z-{i}", ALICE, FEES, 0) for i in range(8000)]}

    response = api_post(client, TRANSFERS, body, secret)

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 8000
    assert {r["status"] for r in results} == {"amount_must_not_be_zero"}


# --- GET /accounts/{id} and /transfers/{id} ------------------------------------------------


@pytest.mark.usefixtures("books")
def test_get_account_returns_totals_and_balance(client: Client, secret: str) -> None:
    submit(transfer("fee-1", ALICE, FEES, 250, currency="CNY", code="fee"))
    submit(transfer("hold-1", ALICE, FEES, 40, currency="CNY", code="fee", flags=["pending"]))

    response = api_get(client, f"{ACCOUNTS}/{ALICE}", secret)

    assert response.status_code == 200
    body = response.json()
    created_at = body.pop("created_at")
    assert body == {
        "id": ALICE,
        "currency": "CNY",
        "code": "wallet",
        "flags": ["debits_must_not_exceed_credits"],
        "debits_pending": 40,
        "debits_posted": 250,
        "credits_pending": 0,
        "credits_posted": 100_000,
        "balance": 99_750,
        "metadata": {},
    }
    assert parse_time(created_at) == as_ms(Account.objects.get(pk=ALICE).created_at)


def test_get_account_with_colons_and_dots_in_its_id(
    client: Client, secret: str, make_account: MakeAccount
) -> None:
    make_account(FEES, currency="CNY", code="fee_revenue")
    make_account("merchant:shop.cn:v1.2", currency="CNY", code="merchant")

    fees = api_get(client, f"{ACCOUNTS}/{FEES}", secret)
    shop = api_get(client, f"{ACCOUNTS}/merchant:shop.cn:v1.2", secret)

    assert (fees.status_code, fees.json()["id"], fees.json()["balance"]) == (200, FEES, 0)
    assert (shop.status_code, shop.json()["id"]) == (200, "merchant:shop.cn:v1.2")


@pytest.mark.usefixtures("books")
def test_get_transfer_returns_every_field(client: Client, secret: str) -> None:
    api_post(
        client,
        TRANSFERS,
        {"transfers": [transfer_body("fee:2030.01", ALICE, FEES, 250, metadata={"k": [1, 2]})]},
        secret,
    )

    response = api_get(client, f"{TRANSFERS}/fee:2030.01", secret)

    assert response.status_code == 200
    body = response.json()
    created_at = body.pop("created_at")
    assert body == {
        "id": "fee:2030.01",
        "debit_account_id": ALICE,
        "credit_account_id": FEES,
        "amount": 250,
        "currency": "CNY",
        "code": "fee",
        "flags": [],
        "pending_id": None,
        "timeout_seconds": 0,
        "metadata": {"k": [1, 2]},
        "pending_status": None,
    }
    assert parse_time(created_at) == as_ms(Transfer.objects.get(pk="fee:2030.01").created_at)


@pytest.mark.usefixtures("books")
@pytest.mark.parametrize(
    ("resolution", "status"),
    [(None, "pending"), (post, "posted"), (void, "voided")],
)
def test_get_pending_transfer_shows_its_status(
    client: Client, secret: str, resolution: Callable[..., TransferSpec] | None, status: str
) -> None:
    hold = transfer("hold-1", ALICE, FEES, 40, currency="CNY", code="fee", flags=["pending"])
    assert submit(hold, now=timezone.now()) == [R.CREATED]
    if resolution is not None:
        assert submit(resolution("r-1", "hold-1")) == [R.CREATED]

    body = api_get(client, f"{TRANSFERS}/hold-1", secret).json()

    assert (body["flags"], body["pending_status"]) == ([TransferFlag.PENDING.value], status)


@pytest.mark.usefixtures("books")
def test_get_expired_pending_transfer(client: Client, secret: str) -> None:
    from okpay.ledger.services import pending_transfers_expire

    hold = transfer(
        "hold-1", ALICE, FEES, 40, currency="CNY", code="fee", flags=["pending"], timeout_seconds=1
    )
    assert submit(hold, now=T0) == [R.CREATED]
    assert pending_transfers_expire(now=T0 + timedelta(seconds=2)) == 1

    body = api_get(client, f"{TRANSFERS}/hold-1", secret).json()

    assert body["pending_status"] == "expired"
    assert body["timeout_seconds"] == 1


@pytest.mark.parametrize(
    ("path", "message", "unknown_id"),
    [
        (f"{ACCOUNTS}/nope:CNY", "No ledger account has this id.", "nope:CNY"),
        (f"{TRANSFERS}/nope.1", "No ledger transfer has this id.", "nope.1"),
        (f"{ACCOUNTS}/nope:CNY/transfers", "No ledger account has this id.", "nope:CNY"),
    ],
)
def test_unknown_ids_answer_404(
    client: Client, secret: str, path: str, message: str, unknown_id: str
) -> None:
    response = api_get(client, path, secret)

    assert response.status_code == 404
    assert response.json() == error("not_found", message, "id", id=unknown_id)


# --- GET /accounts/{id}/transfers ----------------------------------------------------------


def _walk_books(make_account: MakeAccount) -> list[str]:
    """120 transfers into ``wallet:walk`` in two batches; ids deliberately out of order."""
    make_account("bank:CNY", currency="CNY", code="bank")
    make_account("wallet:walk", currency="CNY", code="wallet")
    ids = [f"walk-{(i * 37) % 120:03d}" for i in range(120)]
    for start, now in ((0, T0), (60, T0 + timedelta(seconds=1))):
        specs = [
            transfer(tid, "bank:CNY", "wallet:walk", 1, currency="CNY", code="deposit")
            for tid in ids[start : start + 60]
        ]
        assert submit(*specs, now=now) == [R.CREATED] * 60
    return ids


def test_pagination_walks_all_transfers_without_gaps_or_duplicates(
    client: Client, secret: str, make_account: MakeAccount
) -> None:
    ids = _walk_books(make_account)
    path = f"{ACCOUNTS}/wallet:walk/transfers?limit=50"

    pages = [api_get(client, path, secret).json()]
    while pages[-1]["has_more"]:
        pages.append(
            api_get(client, f"{path}&starting_after={pages[-1]['next_cursor']}", secret).json()
        )

    assert [len(p["data"]) for p in pages] == [50, 50, 20]
    assert [p["has_more"] for p in pages] == [True, True, False]
    assert [p["next_cursor"] for p in pages] == [ids[49], ids[99], None]
    seen = [item["id"] for page in pages for item in page["data"]]
    assert seen == ids
    assert pages[0]["data"][0]["credit_account_id"] == "wallet:walk"


def test_pagination_default_limit_is_50(
    client: Client, secret: str, make_account: MakeAccount
) -> None:
    ids = _walk_books(make_account)

    body = api_get(client, f"{ACCOUNTS}/wallet:walk/transfers", secret).json()

    assert [item["id"] for item in body["data"]] == ids[:50]
    assert (body["has_more"], body["next_cursor"]) == (True, ids[49])


def test_list_includes_debits_and_credits_with_pending_status(
    client: Client, secret: str, make_account: MakeAccount, fund: Fund
) -> None:
    make_account("wallet:a", currency="USD", code="wallet")
    make_account("wallet:b", currency="USD", code="wallet")
    fund("wallet:a", 100)
    assert submit(transfer("a-to-b", "wallet:a", "wallet:b", 30)) == [R.CREATED]
    assert submit(transfer("hold", "wallet:a", "wallet:b", 5, flags=["pending"])) == [R.CREATED]

    body = api_get(client, f"{ACCOUNTS}/wallet:a/transfers?limit=500", secret).json()

    assert [(t["id"], t["pending_status"]) for t in body["data"]] == [
        ("fund-1", None),
        ("a-to-b", None),
        ("hold", "pending"),
    ]
    assert (body["has_more"], body["next_cursor"]) == (False, None)


def test_list_of_an_account_without_transfers(
    client: Client, secret: str, make_account: MakeAccount
) -> None:
    make_account("wallet:empty")

    body = api_get(client, f"{ACCOUNTS}/wallet:empty/transfers", secret).json()

    assert body == {"data": [], "has_more": False, "next_cursor": None}


def test_list_page_query_count_does_not_grow_with_the_page(
    client: Client,
    secret: str,
    make_account: MakeAccount,
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    _walk_books(make_account)
    api_get(client, f"{ACCOUNTS}/wallet:walk/transfers?limit=1", secret)  # token marked used

    with django_assert_max_num_queries(4):
        body = api_get(client, f"{ACCOUNTS}/wallet:walk/transfers?limit=100", secret).json()

    assert len(body["data"]) == 100


NOT_INT = "Enter a whole number (an integer count of minor units)."


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "Enter a value of at least 1."),
        ("limit=501", "Enter a value of at most 500."),
        ("limit=abc", NOT_INT),
        ("limit=1.5", NOT_INT),
    ],
)
def test_list_limit_out_of_range_is_refused(
    client: Client, secret: str, make_account: MakeAccount, query: str, message: str
) -> None:
    make_account("wallet:walk")

    response = api_get(client, f"{ACCOUNTS}/wallet:walk/transfers?{query}", secret)

    assert response.status_code == 400
    assert response.json() == error("invalid_request", message, "limit")


def test_list_with_an_unknown_cursor_is_refused(
    client: Client, secret: str, make_account: MakeAccount, fund: Fund
) -> None:
    make_account("wallet:walk")
    make_account("wallet:other")
    fund("wallet:other", 100)  # fund-1 exists but does not touch wallet:walk

    for cursor in ("nope", "fund-1"):
        response = api_get(
            client, f"{ACCOUNTS}/wallet:walk/transfers?starting_after={cursor}", secret
        )

        assert response.status_code == 400
        assert response.json() == error(
            "invalid_input",
            "The cursor does not name a transfer of this account.",
            "starting_after",
        )


# --- permissions ---------------------------------------------------------------------------


def _endpoints() -> list[tuple[str, str, Any]]:
    return [
        ("post", ACCOUNTS, {"accounts": [account_body("new:CNY")]}),
        ("post", TRANSFERS, {"transfers": [transfer_body("perm-1", ALICE, FEES, 1)]}),
        ("get", f"{ACCOUNTS}/{FEES}", None),
        ("get", f"{TRANSFERS}/seed-1", None),
        ("get", f"{ACCOUNTS}/{ALICE}/transfers?limit=10", None),
    ]


def _call(client: Client, method: str, path: str, body: Any, authorization: str | None) -> Any:
    if method == "get":
        return client.get(path, headers=_headers(authorization))
    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        headers=_headers(authorization),
    )


def _user_token(email: str, role: Role) -> str:
    user = User.objects.create_user(email, role=role)
    return token_create(name="laptop", kind=TokenKind.PERSONAL, user=user).secret


CREDENTIALS: dict[str, Callable[[], str | None]] = {
    "no header": lambda: None,
    "empty header": lambda: "",
    "no scheme": lambda: token_create(name="x", kind=TokenKind.OPERATOR).secret,
    "basic scheme": lambda: "Basic " + token_create(name="x", kind=TokenKind.OPERATOR).secret,
    "bearer without token": lambda: "Bearer",
    "unknown token": lambda: "Bearer okp_op_" + "A" * 43,
    "revoked token": lambda: "Bearer " + _revoked_secret(),
    "expired token": lambda: (
        "Bearer "
        + token_create(
            name="x", kind=TokenKind.OPERATOR, expires_at=timezone.now() - timedelta(seconds=1)
        ).secret
    ),
    "customer personal token": lambda: "Bearer " + _user_token("c@example.com", Role.CUSTOMER),
    "agent personal token": lambda: "Bearer " + _user_token("a@example.com", Role.AGENT),
}
ALLOWED: dict[str, Callable[[], str | None]] = {
    "operator token": lambda: "Bearer " + token_create(name="x", kind=TokenKind.OPERATOR).secret,
    "operator personal token": lambda: "Bearer " + _user_token("o@example.com", Role.OPERATOR),
}


def _revoked_secret() -> str:
    issued = token_create(name="x", kind=TokenKind.OPERATOR)
    token_revoke(token=issued.token)
    return issued.secret


@pytest.fixture
def seeded(books: None) -> LedgerSnapshot:
    assert submit(transfer("seed-1", ALICE, FEES, 10, currency="CNY", code="fee")) == [R.CREATED]
    return ledger_snapshot()


@pytest.mark.parametrize("credential", list(CREDENTIALS))
@pytest.mark.parametrize(("method", "path", "body"), _endpoints())
def test_refused_credentials_answer_401_and_change_nothing(
    client: Client, seeded: LedgerSnapshot, credential: str, method: str, path: str, body: Any
) -> None:
    authorization = CREDENTIALS[credential]()

    response = _call(client, method, path, body, authorization)

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert ledger_snapshot() == seeded
    assert ledger_audit_count() == 0


@pytest.mark.parametrize("credential", list(ALLOWED))
@pytest.mark.parametrize(("method", "path", "body"), _endpoints())
def test_operator_credentials_answer_200(
    client: Client, seeded: LedgerSnapshot, credential: str, method: str, path: str, body: Any
) -> None:
    response = _call(client, method, path, body, ALLOWED[credential]())

    assert response.status_code == 200
    if method == "post":
        assert [r["status"] for r in response.json()["results"]] == ["created"]


def test_unauthenticated_request_with_broken_json_answers_401(client: Client) -> None:
    response = api_post(client, TRANSFERS, '{"transfers": [', None)

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


# --- bad input -----------------------------------------------------------------------------

LONG_ID = "x" * 65
TOO_SHORT = "Enter at least 1 character(s)."
TOO_LONG = "Enter at most 64 characters."
EXTRA = "This field is not part of the request; remove it."
EMPTY_LIST = "Send at least 1 item(s)."
NOT_OBJECT = "The request body must be a JSON object with the documented fields."
BAD_JSON = "The request body is not valid JSON. Send a JSON object."


def _tb(**fields: Any) -> dict[str, Any]:
    return {"transfers": [{**transfer_body("bad-1", ALICE, FEES, 100), **fields}]}


BAD_INPUT = [
    # accounts
    (ACCOUNTS, {"accounts": [account_body("")]}, "accounts.0.id", TOO_SHORT),
    (ACCOUNTS, {"accounts": [account_body(LONG_ID)]}, "accounts.0.id", TOO_LONG),
    (ACCOUNTS, {"accounts": [account_body(7)]}, "accounts.0.id", "Enter text."),
    (
        ACCOUNTS,
        {"accounts": [account_body("a", currency=156)]},
        "accounts.0.currency",
        "Enter text.",
    ),
    (
        ACCOUNTS,
        {"accounts": [account_body("a", flags="linked")]},
        "accounts.0.flags",
        "Enter a list.",
    ),
    (
        ACCOUNTS,
        {"accounts": [account_body("a", metadata=[1])]},
        "accounts.0.metadata",
        "Enter a JSON object.",
    ),
    (ACCOUNTS, {"accounts": [account_body("a", ledger=1)]}, "accounts.0.ledger", EXTRA),
    (ACCOUNTS, {"accounts": [account_body("a")], "dry_run": True}, "dry_run", EXTRA),
    (ACCOUNTS, {"accounts": []}, "accounts", EMPTY_LIST),
    (ACCOUNTS, {}, "accounts", "This field is required."),
    (ACCOUNTS, [account_body("a")], None, NOT_OBJECT),
    (ACCOUNTS, "", None, NOT_OBJECT),
    (ACCOUNTS, '{"accounts": [', None, BAD_JSON),
    # transfers
    (TRANSFERS, _tb(id=""), "transfers.0.id", TOO_SHORT),
    (TRANSFERS, _tb(id=LONG_ID), "transfers.0.id", TOO_LONG),
    (TRANSFERS, _tb(debit_account_id=LONG_ID), "transfers.0.debit_account_id", TOO_LONG),
    (TRANSFERS, _tb(credit_account_id=LONG_ID), "transfers.0.credit_account_id", TOO_LONG),
    (TRANSFERS, _tb(pending_id=LONG_ID), "transfers.0.pending_id", TOO_LONG),
    (TRANSFERS, _tb(amount=1.5), "transfers.0.amount", NOT_INT),
    (TRANSFERS, _tb(amount=100.0), "transfers.0.amount", NOT_INT),
    (TRANSFERS, _tb(amount="100"), "transfers.0.amount", NOT_INT),
    (TRANSFERS, _tb(amount=True), "transfers.0.amount", NOT_INT),
    (TRANSFERS, _tb(amount=None), "transfers.0.amount", NOT_INT),
    (TRANSFERS, _tb(timeout_seconds=1.5), "transfers.0.timeout_seconds", NOT_INT),
    (TRANSFERS, _tb(flags=None), "transfers.0.flags", "Enter a list."),
    (TRANSFERS, _tb(fee=1), "transfers.0.fee", EXTRA),
    (TRANSFERS, {**_tb(), "atomic": True}, "atomic", EXTRA),
    (TRANSFERS, {"transfers": []}, "transfers", EMPTY_LIST),
    (TRANSFERS, {"transfers": None}, "transfers", "Enter a list."),
    (TRANSFERS, "[]", None, NOT_OBJECT),
    (TRANSFERS, "not json", None, BAD_JSON),
    (TRANSFERS, '{"transfers": [{"id": "t", "amount": 1,}]}', None, BAD_JSON),
    (TRANSFERS, b"\xff\xfe", None, BAD_JSON),
]


@pytest.mark.parametrize(("path", "body", "field", "message"), BAD_INPUT)
def test_bad_input_answers_400_and_changes_nothing(
    client: Client,
    secret: str,
    seeded: LedgerSnapshot,
    path: str,
    body: Any,
    field: str | None,
    message: str,
) -> None:
    response = api_post(client, path, body, secret)

    assert response.status_code == 400
    assert response.json() == error("invalid_request", message, field)
    assert ledger_snapshot() == seeded
    assert ledger_audit_count() == 0


@pytest.mark.parametrize(
    ("path", "key", "item"),
    [
        (TRANSFERS, "transfers", transfer_body("t", ALICE, FEES, 1)),
        (ACCOUNTS, "accounts", account_body("a")),
    ],
)
def test_a_batch_above_8000_is_refused_whole(
    client: Client, secret: str, seeded: LedgerSnapshot, path: str, key: str, item: dict
) -> None:
    body = {key: [{**item, "id": f"{item['id']}-{i}"} for i in range(8001)]}

    response = api_post(client, path, body, secret)

    assert response.status_code == 400
    assert response.json() == error(
        "batch_too_large",
        "Send at most 8,000 items in one request.",
        key,
        limit=8000,
        received=8001,
    )
    assert ledger_snapshot() == seeded
    assert ledger_audit_count() == 0


# --- HTTP-level errors and OpenAPI ---------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", ACCOUNTS, "POST"),
        ("get", TRANSFERS, "POST"),
        ("put", f"{TRANSFERS}/t-1", "GET"),
        ("post", f"{ACCOUNTS}/{FEES}/transfers", "GET"),
    ],
)
def test_wrong_method_answers_405_in_the_error_shape(
    client: Client, secret: str, method: str, path: str, allowed: str
) -> None:
    response = getattr(client, method)(path, headers=_headers(f"Bearer {secret}"))

    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert response.json() == error(
        "method_not_allowed",
        f"This endpoint does not accept this HTTP method. Allowed: {allowed}.",
    )


@pytest.mark.parametrize(
    "path", [f"{BASE}/nope", f"{ACCOUNTS}/a/b", f"{ACCOUNTS}/{FEES}/transfers/x", "/api/v2/x"]
)
def test_unknown_api_paths_answer_404_in_the_error_shape(
    client: Client, secret: str, path: str
) -> None:
    response = api_get(client, path, secret)

    assert response.status_code == 404
    assert response.json() == error(
        "not_found", "There is no API endpoint at this address. Check the path in /api/docs."
    )


@pytest.mark.usefixtures("books")
def test_an_unexpected_failure_answers_500_in_the_error_shape(
    client: Client, secret: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("okpay.ledger.services.transfers_create", broken)

    response = api_post(
        client, TRANSFERS, {"transfers": [transfer_body("t", ALICE, FEES, 1)]}, secret
    )

    assert response.status_code == 500
    assert response.json() == error(
        "internal_error", "Something went wrong on our side. Try again later, or contact support."
    )
    assert "disk on fire" in caplog.text


def test_async_views_get_the_json_405_too() -> None:
    async def view(request: Any) -> HttpResponse:
        return HttpResponseNotAllowed(["GET"])

    wrapped = _with_json_errors(view)
    response = asyncio.run(wrapped(RequestFactory().post("/api/x")))

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert json.loads(response.content)["error"]["code"] == "method_not_allowed"


def test_openapi_lists_the_ledger_endpoints_with_bearer_security(client: Client) -> None:
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    ledger = {p: sorted(ops) for p, ops in schema["paths"].items() if p.startswith(BASE)}
    assert ledger == {
        ACCOUNTS: ["post"],
        TRANSFERS: ["post"],
        f"{ACCOUNTS}/{{account_id}}": ["get"],
        f"{TRANSFERS}/{{transfer_id}}": ["get"],
        f"{ACCOUNTS}/{{account_id}}/transfers": ["get"],
    }
    assert schema["components"]["securitySchemes"]["OperatorTokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
    error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, ops in ledger.items():
        for method in ops:
            operation = schema["paths"][path][method]
            assert operation["security"] == [{"OperatorTokenAuth": []}]
            assert operation["tags"] == ["ledger"]
            responses = operation["responses"]
            assert responses["401"]["content"]["application/json"]["schema"] == error_ref
            assert "200" in responses
    documented = {
        (path, method): sorted(op["responses"])
        for path, ops in ledger.items()
        for method, op in schema["paths"][path].items()
    }
    assert documented == {
        (ACCOUNTS, "post"): ["200", "400", "401"],
        (TRANSFERS, "post"): ["200", "400", "401"],
        (f"{ACCOUNTS}/{{account_id}}", "get"): ["200", "401", "404"],
        (f"{TRANSFERS}/{{transfer_id}}", "get"): ["200", "401", "404"],
        (f"{ACCOUNTS}/{{account_id}}/transfers", "get"): ["200", "400", "401", "404"],
    }
    get_account = schema["paths"][f"{ACCOUNTS}/{{account_id}}"]["get"]["responses"]
    assert get_account["404"]["content"]["application/json"]["schema"] == error_ref
    assert get_account["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AccountOut"
    }
    amount = schema["components"]["schemas"]["TransferIn"]["properties"]["amount"]
    assert amount["type"] == "integer"
    assert schema["components"]["schemas"]["TransferIn"]["additionalProperties"] is False


def test_api_docs_page_renders(client: Client) -> None:
    response = client.get("/api/docs")

    assert response.status_code == 200
    assert b"/api/openapi.json" in response.content


# --- the `okpay token` command, end to end -------------------------------------------------


@pytest.mark.usefixtures("books")
def test_cli_token_authenticates_until_revoked(client: Client) -> None:
    out = StringIO()
    call_command("token", "create", "--operator", "--name", "ci", stdout=out)
    secret = out.getvalue().splitlines()[-1]
    token = ApiToken.objects.get(name="ci")

    ok = api_get(client, f"{ACCOUNTS}/{FEES}", secret)
    call_command("token", "revoke", "--prefix", token.prefix, stdout=StringIO())
    refused = api_get(client, f"{ACCOUNTS}/{FEES}", secret)

    assert ok.status_code == 200
    assert ok.json()["id"] == FEES
    assert AuditEvent.objects.filter(
        action="api_token.created", object_id=str(token.pk), data__name="ci"
    ).exists()
    assert AuditEvent.objects.filter(action="api_token.revoked", object_id=str(token.pk)).exists()
    assert refused.status_code == 401
    assert refused.json() == UNAUTHENTICATED
