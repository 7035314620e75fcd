"""API tokens: the `okpay token` command and the operator bearer authentication."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import timezone

from okpay.identity.auth import OperatorTokenAuth
from okpay.identity.models import ApiToken, AuditEvent, Role, TokenKind, User
from okpay.identity.services import token_authenticate, token_create, token_revoke

pytestmark = pytest.mark.django_db


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().splitlines()


def _user(email: str, role: Role) -> User:
    return User.objects.create_user(email, password=None, role=role)


def _request(authorization: str | None) -> object:
    headers = {} if authorization is None else {"Authorization": authorization}
    return RequestFactory().get("/api/v1/ledger/accounts/x", headers=headers)


# --- okpay token create --------------------------------------------------------------------


def test_create_operator_prints_the_secret_last_and_it_authenticates() -> None:
    # when
    lines = _run("create", "--operator", "--name", "ci")
    # then
    secret = lines[-1]
    assert secret.startswith("okp_op_")
    token = ApiToken.objects.get()
    assert token_authenticate(secret=secret) == token
    assert token.kind == TokenKind.OPERATOR
    assert token.name == "ci"
    assert token.user is None
    assert token.expires_at is None
    assert secret[: len(token.prefix)] == token.prefix
    assert lines[:-1] == [
        f"Created operator token (full access to the operator API) #{token.pk} 'ci', "
        f"prefix {token.prefix}, never expires.",
        "Send it as 'Authorization: Bearer <token>'. It is shown only now:",
    ]


def test_create_writes_an_audit_row() -> None:
    lines = _run("create", "--operator", "--name", "ci")

    token = ApiToken.objects.get()
    event = AuditEvent.objects.get()
    assert event.action == "api_token.created"
    assert event.object_type == "api_token"
    assert event.object_id == str(token.pk)
    assert event.data == {"name": "ci", "kind": "operator", "prefix": token.prefix}
    assert lines[-1] not in str(event.data)


def test_create_with_expiry_sets_expires_at() -> None:
    before = timezone.now()

    _run("create", "--operator", "--name", "ci", "--expires-days", "30")

    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert before + timedelta(days=30) <= token.expires_at <= timezone.now() + timedelta(days=30)


@pytest.mark.parametrize("days", ["0", "-1", "3651"])
def test_create_refuses_an_out_of_range_expiry(days: str) -> None:
    with pytest.raises(CommandError, match="--expires-days must be between 1 and 3650"):
        _run("create", "--operator", "--name", "ci", "--expires-days", days)

    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_create_without_an_owner_is_refused() -> None:
    with pytest.raises(CommandError) as excinfo:
        _run("create", "--name", "ci")

    assert str(excinfo.value) == (
        "Only operator tokens are created here: add --operator. Personal tokens "
        "belong to a user, who creates them from their own account."
    )
    assert ApiToken.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_create_with_a_blank_name_is_refused() -> None:
    with pytest.raises(CommandError, match="Give the token a name"):
        _run("create", "--operator", "--name", "  ")

    assert ApiToken.objects.count() == 0


def test_create_personal_token_is_refused_here() -> None:
    _user("ops@example.com", Role.OPERATOR)

    with pytest.raises(CommandError, match="unrecognized arguments: --user"):
        _run("create", "--user", "ops@example.com", "--name", "laptop")

    assert ApiToken.objects.count() == 0


# --- okpay token list / revoke -------------------------------------------------------------


def test_list_shows_state_and_never_the_secret() -> None:
    active = token_create(name="ci", kind=TokenKind.OPERATOR)
    revoked = token_create(name="old", kind=TokenKind.OPERATOR)
    token_revoke(token=revoked.token)
    expired = token_create(
        name="temp", kind=TokenKind.OPERATOR, expires_at=timezone.now() - timedelta(seconds=1)
    )

    lines = _run("list")

    assert len(lines) == 4
    assert lines[0].split() == ["id", "prefix", "kind", "state", "owner", "name"]
    assert lines[1].split() == [
        str(active.token.pk),
        active.token.prefix,
        "operator",
        "active",
        "-",
        "ci",
    ]
    assert lines[2].split() == [
        str(revoked.token.pk),
        revoked.token.prefix,
        "operator",
        "revoked",
        "-",
        "old",
    ]
    assert lines[3].split()[3] == "expired"
    output = "\n".join(lines)
    for issued in (active, revoked, expired):
        assert issued.secret not in output


def test_list_without_tokens() -> None:
    assert _run("list") == ["No API tokens."]


def test_revoke_by_prefix_stops_the_token_and_writes_an_audit_row() -> None:
    issued = token_create(name="ci", kind=TokenKind.OPERATOR)

    lines = _run("revoke", "--prefix", issued.token.prefix)

    issued.token.refresh_from_db()
    assert issued.token.revoked_at is not None
    assert token_authenticate(secret=issued.secret) is None
    assert lines == [f"Revoked token #{issued.token.pk} 'ci' ({issued.token.prefix})."]
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "api_token.created",
        "api_token.revoked",
    ]


def test_revoke_by_id() -> None:
    issued = token_create(name="ci", kind=TokenKind.OPERATOR)

    _run("revoke", "--id", str(issued.token.pk))

    assert token_authenticate(secret=issued.secret) is None


def test_revoke_unknown_prefix_is_refused() -> None:
    issued = token_create(name="ci", kind=TokenKind.OPERATOR)

    with pytest.raises(CommandError, match="No active token with prefix okp_op_zzzz"):
        _run("revoke", "--prefix", "okp_op_zzzz")

    assert token_authenticate(secret=issued.secret) == issued.token


def test_revoke_twice_is_refused_the_second_time() -> None:
    issued = token_create(name="ci", kind=TokenKind.OPERATOR)
    _run("revoke", "--prefix", issued.token.prefix)

    with pytest.raises(CommandError, match="No active token with prefix"):
        _run("revoke", "--prefix", issued.token.prefix)
    with pytest.raises(CommandError, match="was already revoked"):
        _run("revoke", "--id", str(issued.token.pk))

    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_revoke_with_a_shared_prefix_asks_for_the_id() -> None:
    first = token_create(name="a", kind=TokenKind.OPERATOR)
    second = token_create(name="b", kind=TokenKind.OPERATOR)
    ApiToken.objects.filter(pk=second.token.pk).update(prefix=first.token.prefix)

    with pytest.raises(CommandError, match="Several active tokens share"):
        _run("revoke", "--prefix", first.token.prefix)

    assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0


def test_a_subcommand_is_required() -> None:
    with pytest.raises(CommandError, match="required"):
        _run()


# --- OperatorTokenAuth ---------------------------------------------------------------------


def test_operator_token_is_accepted_and_becomes_request_auth() -> None:
    issued = token_create(name="ci", kind=TokenKind.OPERATOR)

    result = OperatorTokenAuth()(_request(f"Bearer {issued.secret}"))

    assert result == issued.token


def test_bearer_scheme_is_case_insensitive() -> None:
    issued = token_create(name="ci", kind=TokenKind.OPERATOR)

    assert OperatorTokenAuth()(_request(f"bearer {issued.secret}")) == issued.token


def test_personal_token_of_an_operator_is_accepted() -> None:
    user = _user("ops@example.com", Role.OPERATOR)
    issued = token_create(name="laptop", kind=TokenKind.PERSONAL, user=user)

    result = OperatorTokenAuth()(_request(f"Bearer {issued.secret}"))

    assert result == issued.token
    assert result.user == user


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.MERCHANT, Role.AGENT, Role.SUPERVISOR])
def test_personal_token_of_a_non_operator_is_refused(role: Role) -> None:
    user = _user("someone@example.com", role)
    issued = token_create(name="laptop", kind=TokenKind.PERSONAL, user=user)

    assert OperatorTokenAuth()(_request(f"Bearer {issued.secret}")) is None


def test_personal_token_of_a_deactivated_operator_is_refused() -> None:
    user = _user("ops@example.com", Role.OPERATOR)
    issued = token_create(name="laptop", kind=TokenKind.PERSONAL, user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert OperatorTokenAuth()(_request(f"Bearer {issued.secret}")) is None


def test_revoked_and_expired_tokens_are_refused() -> None:
    revoked = token_create(name="old", kind=TokenKind.OPERATOR)
    token_revoke(token=revoked.token)
    expired = token_create(
        name="temp", kind=TokenKind.OPERATOR, expires_at=timezone.now() - timedelta(seconds=1)
    )

    assert OperatorTokenAuth()(_request(f"Bearer {revoked.secret}")) is None
    assert OperatorTokenAuth()(_request(f"Bearer {expired.secret}")) is None


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Token {secret}", "Basic {secret}", "{secret}", "Bearer x"],
)
def test_missing_or_malformed_headers_are_refused(header: str | None) -> None:
    issued = token_create(name="ci", kind=TokenKind.OPERATOR)
    value = None if header is None else header.format(secret=issued.secret)

    assert OperatorTokenAuth()(_request(value)) is None


def test_a_wrong_scheme_never_logs_the_secret(
    caplog: pytest.LogCaptureFixture, settings: object
) -> None:
    settings.DEBUG = True  # type: ignore[attr-defined]
    issued = token_create(name="ci", kind=TokenKind.OPERATOR)

    with caplog.at_level(logging.DEBUG):
        assert OperatorTokenAuth()(_request(f"Token {issued.secret}")) is None

    assert issued.secret not in caplog.text
