"""The demo data set: who can sign in after `okpay run`, and what their wallets hold.

`okpay demo-data` creates it and `okpay run` prints the logins from the same constants,
so the banner and the data can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from okpay.identity.models import Role


@dataclass(frozen=True, slots=True)
class DemoUser:
    email: str
    password: str
    display_name: str
    role: str
    language: str
    country: str
    time_zone: str
    superuser: bool = False
    # Opening deposit per wallet currency, in minor units.
    wallets: tuple[tuple[str, int], ...] = ()


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(
        email="admin@okpay.example",
        password="OKpay-admin-2026",  # noqa: S106 - published demo login
        display_name="OKpay Operator",
        role=Role.OPERATOR,
        language="en",
        country="SG",
        time_zone="Asia/Shanghai",
        superuser=True,
    ),
    DemoUser(
        email="li.wei@okpay.example",
        password="OKpay-demo-2026",  # noqa: S106 - published demo login
        display_name="李伟",
        role=Role.CUSTOMER,
        language="zh-hans",
        country="CN",
        time_zone="Asia/Shanghai",
        wallets=(("CNY", 2_000_000), ("USD", 80_000)),
    ),
    DemoUser(
        email="emma.jones@okpay.example",
        password="OKpay-demo-2026",  # noqa: S106 - published demo login
        display_name="Emma Jones",
        role=Role.CUSTOMER,
        language="en",
        country="GB",
        time_zone="Europe/London",
        wallets=(("CNY", 500_000), ("USD", 350_000), ("EUR", 120_000)),
    ),
    DemoUser(
        email="agent@okpay.example",
        password="OKpay-agent-2026",  # noqa: S106 - published demo login
        display_name="王芳 (Support)",
        role=Role.AGENT,
        language="zh-hans",
        country="CN",
        time_zone="Asia/Shanghai",
    ),
    DemoUser(
        email="supervisor@okpay.example",
        password="OKpay-agent-2026",  # noqa: S106 - published demo login
        display_name="Chen Jing (Supervisor)",
        role=Role.SUPERVISOR,
        language="en",
        country="CN",
        time_zone="Asia/Shanghai",
    ),
)


@dataclass(frozen=True, slots=True)
class DemoTopUp:
    """A top-up made through the wallet, so the history shows a real transaction."""

    email: str
    currency: str
    amount: int
    funding_source: str  # bank_transfer stays pending until the sandbox bank settles it
    client_reference: str


DEMO_TOP_UPS: tuple[DemoTopUp, ...] = (
    DemoTopUp("li.wei@okpay.example", "CNY", 150_000, "bank_transfer", "demo-top-up-bank"),
    DemoTopUp("emma.jones@okpay.example", "USD", 25_000, "card", "demo-top-up-card"),
)
DEPOSIT_TRANSFER_CODE = "deposit"


def demo_deposit_id(*, user_pk: int, currency: str) -> str:
    return f"demo:deposit:{user_pk}:{currency}"
