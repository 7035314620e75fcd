"""`okpay demo-data`: the demo users, system accounts and funded wallets, idempotently."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django.fixtures import Settings

from okpay.identity.models import AuditEvent, Role, User
from okpay.ledger.models import Account, Transfer
from okpay.ledger.selectors import ledger_verify
from okpay.money.currencies import enabled_currencies
from okpay.wallets.chart import SYSTEM_ACCOUNT_CODES
from okpay.web.demo import DEMO_USERS

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "accounts": Account.objects.count(),
        "transfers": Transfer.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _balances() -> dict[str, tuple[int, int, int, int]]:
    return {
        a.id: (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
        for a in Account.objects.all()
    }


def _run(*args: str) -> str:
    out = StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


def test_demo_data_creates_users_accounts_and_funded_wallets() -> None:
    # when
    output = _run("--force")

    # then
    admin = User.objects.get(email="admin@okpay.example")
    assert (admin.is_superuser, admin.is_staff, admin.role) == (True, True, Role.OPERATOR)
    li = User.objects.get(email="li.wei@okpay.example")
    emma = User.objects.get(email="emma.jones@okpay.example")
    assert (li.role, li.preferred_language) == (Role.CUSTOMER, "zh-hans")
    assert (emma.role, emma.preferred_language) == (Role.CUSTOMER, "en")
    agent = User.objects.get(email="agent@okpay.example")
    supervisor = User.objects.get(email="supervisor@okpay.example")
    assert (agent.role, supervisor.role) == (Role.AGENT, Role.SUPERVISOR)
    assert not agent.is_staff and not agent.is_superuser
    for demo in DEMO_USERS:
        user = User.objects.get(email=demo.email)
        assert user.check_password(demo.password)
        assert user.email_verified_at is not None

    codes = [c.code for c in enabled_currencies()]
    system = Account.objects.filter(id__startswith="sys:")
    assert system.count() == len(codes) * len(SYSTEM_ACCOUNT_CODES)
    bank_cny = Account.objects.get(id="sys:rail_settlement.bank:CNY")
    assert (bank_cny.code, bank_cny.currency, bank_cny.flags) == ("rail_settlement.bank", "CNY", [])
    assert Account.objects.get(id="sys:fx_position:EUR").code == "fx_position"

    wallets = {a.id: a for a in Account.objects.filter(id__startswith="wallet:")}
    assert sorted(wallets) == sorted(
        [
            f"wallet:{li.pk}:CNY",
            f"wallet:{li.pk}:USD",
            f"wallet:{emma.pk}:CNY",
            f"wallet:{emma.pk}:USD",
            f"wallet:{emma.pk}:EUR",
        ]
    )
    assert all(w.flags == ["debits_must_not_exceed_credits"] for w in wallets.values())
    assert wallets[f"wallet:{li.pk}:CNY"].balance == 2_000_000
    assert wallets[f"wallet:{emma.pk}:EUR"].balance == 120_000

    deposit = Transfer.objects.get(id=f"demo:deposit:{li.pk}:CNY")
    assert (deposit.debit_account_id, deposit.credit_account_id, deposit.amount) == (
        "sys:rail_settlement.bank:CNY",
        f"wallet:{li.pk}:CNY",
        2_000_000,
    )
    assert Transfer.objects.filter(id__startswith="demo:deposit:").count() == 5
    assert AuditEvent.objects.filter(action="demo_data.loaded", actor=admin).count() == 1
    assert ledger_verify().ok
    assert "users: 5 created, 0 exist" in output
    assert "demo deposits: 5 created, 0 exist" in output


def test_second_run_changes_nothing() -> None:
    # given
    _run("--force")
    counts, balances = _counts(), _balances()

    # when
    output = _run("--force")

    # then
    assert _counts() == counts
    assert _balances() == balances
    report = ledger_verify()
    assert report.ok, report.violations
    accounts = counts["accounts"]
    assert output.splitlines()[:3] == [
        "users: 0 created, 5 exist",
        f"ledger accounts: 0 created, {accounts} exist",
        "demo deposits: 0 created, 5 exist",
    ]


def test_existing_user_is_left_untouched() -> None:
    # given: li.wei already signed up and chose another password
    li = User.objects.create_user("li.wei@okpay.example", "a-different-password-42")

    # when
    _run("--force")

    # then
    li.refresh_from_db()
    assert li.check_password("a-different-password-42")
    assert Account.objects.filter(id=f"wallet:{li.pk}:CNY").exists()


def test_refused_outside_debug_mode_without_force(settings: Settings) -> None:
    settings.DEBUG = False
    before = _counts()

    with pytest.raises(CommandError, match="only loaded in debug mode"):
        _run()

    assert _counts() == before
    assert before["users"] == 0


def test_runs_in_debug_mode_without_force(settings: Settings) -> None:
    settings.DEBUG = True

    _run()

    assert User.objects.count() == len(DEMO_USERS)


def test_demo_passwords_satisfy_the_password_policy() -> None:
    for demo in DEMO_USERS:
        user = User(email=demo.email, display_name=demo.display_name)
        validate_password(demo.password, user=user)
        assert len(demo.password) >= 12
        assert any(c.isalpha() for c in demo.password)
        assert any(c.isdigit() for c in demo.password)


def test_demo_logins_sign_in() -> None:
    _run("--force")

    for demo in DEMO_USERS:
        user = authenticate(username=demo.email, password=demo.password)
        assert user is not None
        assert user.get_username() == demo.email
