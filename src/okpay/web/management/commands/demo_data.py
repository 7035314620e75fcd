"""`okpay demo-data`: demo users, the platform's ledger accounts and funded wallets.

Idempotent: every row has a stable identity (e-mail, account id, transfer id), so running
it again reports what already exists and changes nothing. Refused outside debug mode
unless ``--force`` is given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from okpay.fx.services import demo_rates_load
from okpay.identity.models import User
from okpay.identity.services import audit_record
from okpay.ledger.services import accounts_create, transfers_create
from okpay.ledger.types import AccountSpec, TransferSpec
from okpay.money.currencies import enabled_currencies
from okpay.wallets.chart import (
    RAIL_BANK,
    SYSTEM_ACCOUNT_CODES,
    WALLET_CODE,
    WALLET_FLAGS,
    system_account_id,
    wallet_account_id,
)
from okpay.wallets.models import Transaction
from okpay.wallets.services.operations import deposit_create
from okpay.web.demo import (
    DEMO_TOP_UPS,
    DEMO_USERS,
    DEPOSIT_TRANSFER_CODE,
    DemoUser,
    demo_deposit_id,
)


def _user_ensure(demo: DemoUser) -> tuple[User, bool]:
    """The demo user, created if missing. An existing user is left exactly as it is."""
    existing = User.objects.filter(email=demo.email).first()
    if existing is not None:
        return existing, False
    user = User(email=demo.email, display_name=demo.display_name)
    validate_password(demo.password, user=user)
    now = timezone.now()
    fields: dict[str, Any] = {
        # Demo accounts are ready to use: the address counts as confirmed.
        "email_verified_at": now,
        "password_changed_at": now,
        "display_name": demo.display_name,
        "role": demo.role,
        "preferred_language": demo.language,
        "country": demo.country,
        "time_zone": demo.time_zone,
    }
    if demo.superuser:
        return User.objects.create_superuser(demo.email, demo.password, **fields), True
    return User.objects.create_user(demo.email, demo.password, **fields), True


def _check(kind: str, results: Sequence[Any]) -> Counter[str]:
    failed = [f"{r.id}: {r.status.value}" for r in results if not r.ok]
    if failed:
        raise CommandError(f"Could not create the demo {kind}: " + "; ".join(failed))
    return Counter(r.status.value for r in results)


class Command(BaseCommand):
    help = "Create the demo users, ledger system accounts and funded wallets (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even though OKPAY_DEBUG is off.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "Demo data is only loaded in debug mode (OKPAY_DEBUG=1). "
                "Use --force to load it anyway."
            )
        currencies = [c.code for c in enabled_currencies()]
        with transaction.atomic():
            users: list[tuple[DemoUser, User]] = []
            users_created = 0
            for demo in DEMO_USERS:
                user, created = _user_ensure(demo)
                users.append((demo, user))
                users_created += created

            accounts = [
                AccountSpec(
                    id=system_account_id(code, currency),
                    currency=currency,
                    code=code,
                )
                for currency in currencies
                for code in SYSTEM_ACCOUNT_CODES
            ]
            deposits: list[TransferSpec] = []
            skipped: list[str] = []
            for demo, user in users:
                for currency, amount in demo.wallets:
                    if currency not in currencies:
                        skipped.append(f"{demo.email} {currency}")
                        continue
                    wallet = wallet_account_id(user.pk, currency)
                    accounts.append(
                        AccountSpec(
                            id=wallet,
                            currency=currency,
                            code=WALLET_CODE,
                            flags=WALLET_FLAGS,
                        )
                    )
                    deposits.append(
                        TransferSpec(
                            id=demo_deposit_id(user_pk=user.pk, currency=currency),
                            debit_account_id=system_account_id(RAIL_BANK, currency),
                            credit_account_id=wallet,
                            amount=amount,
                            currency=currency,
                            code=DEPOSIT_TRANSFER_CODE,
                        )
                    )

            account_counts = _check("accounts", accounts_create(accounts=accounts))
            transfer_counts = _check("deposits", transfers_create(transfers=deposits))
            rates_created = sum(result.created for result in demo_rates_load())

            changed = users_created + account_counts["created"] + transfer_counts["created"]
            if changed:
                operator = next((u for d, u in users if d.superuser), None)
                audit_record(
                    action="demo_data.loaded",
                    actor=operator,
                    object_type="demo_data",
                    data={
                        "users_created": users_created,
                        "accounts_created": account_counts["created"],
                        "deposits_created": transfer_counts["created"],
                    },
                )

        top_ups_created = self._top_ups()
        if options["verbosity"] < 1:
            return
        self.stdout.write(
            f"users: {users_created} created, {len(users) - users_created} exist\n"
            f"ledger accounts: {account_counts['created']} created, "
            f"{account_counts['exists']} exist\n"
            f"demo deposits: {transfer_counts['created']} created, "
            f"{transfer_counts['exists']} exist"
        )
        self.stdout.write(
            f"demo top-ups: {top_ups_created} created, "
            f"{len(DEMO_TOP_UPS) - top_ups_created} exist\n"
            f"fx rates: {rates_created} new"
        )
        for item in skipped:
            self.stdout.write(f"skipped wallet {item}: currency not enabled")

    def _top_ups(self) -> int:
        """Top-ups through the wallet service; the client reference makes them idempotent."""
        created = 0
        for top_up in DEMO_TOP_UPS:
            user = User.objects.get(email=top_up.email)
            if user.email_verified_at is None:
                continue  # a real account that happens to use a demo address: leave it be
            if Transaction.objects.filter(
                user=user, client_reference=top_up.client_reference
            ).exists():
                continue
            deposit_create(
                user=user,
                amount_minor=top_up.amount,
                currency=top_up.currency,
                funding_source=top_up.funding_source,
                client_reference=top_up.client_reference,
            )
            created += 1
        return created
