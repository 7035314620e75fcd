"""``okpay token``: create, list and revoke API tokens.

    okpay token create --operator --name ci [--expires-days 90]
    okpay token list
    okpay token revoke --prefix okp_op_AbCd

``create`` prints the new secret as the last line of its output, so a script can take it
with ``tail -1``. The secret is shown once; only its digest is stored.

Only operator tokens are made here. A personal token belongs to a user, who creates it
from their own account (with step-up and a notification), never from the server's shell.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from okpay.identity.models import ApiToken, TokenKind
from okpay.identity.services import token_create, token_revoke

MAX_EXPIRES_DAYS = 3650


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")

        create = sub.add_parser("create", help="Issue a new token and print its secret.")
        create.add_argument(
            "--operator",
            action="store_true",
            help="An operator token (not tied to a user): full access to the operator API.",
        )
        create.add_argument("--name", required=True, help="What the token is for, e.g. ci.")
        create.add_argument(
            "--expires-days",
            type=int,
            metavar="N",
            help="Expire after N days (default: never).",
        )

        sub.add_parser("list", help="Show all tokens (never their secrets).")

        revoke = sub.add_parser("revoke", help="Revoke a token: it stops working at once.")
        which = revoke.add_mutually_exclusive_group(required=True)
        which.add_argument("--prefix", help="The token's prefix as shown by `token list`.")
        which.add_argument("--id", type=int, dest="token_id", help="The token's id.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list()
        else:
            self._revoke(options)

    def _create(self, options: dict[str, Any]) -> None:
        name = (options["name"] or "").strip()
        if not name:
            raise CommandError("Give the token a name with --name (what it is for).")
        expires_at = None
        days = options["expires_days"]
        if days is not None:
            if not 1 <= days <= MAX_EXPIRES_DAYS:
                raise CommandError(f"--expires-days must be between 1 and {MAX_EXPIRES_DAYS}.")
            expires_at = timezone.now() + timedelta(days=days)

        if not options["operator"]:
            raise CommandError(
                "Only operator tokens are created here: add --operator. Personal tokens "
                "belong to a user, who creates them from their own account."
            )

        issued = token_create(name=name, kind=TokenKind.OPERATOR, expires_at=expires_at)
        token = issued.token
        scope = "operator token (full access to the operator API)"
        expiry = (
            f"expires {token.expires_at:%Y-%m-%d %H:%M %Z}" if token.expires_at else "never expires"
        )
        self.stdout.write(
            f"Created {scope} #{token.pk} '{token.name}', prefix {token.prefix}, {expiry}."
        )
        self.stdout.write("Send it as 'Authorization: Bearer <token>'. It is shown only now:")
        self.stdout.write(issued.secret)

    def _list(self) -> None:
        now = timezone.now()
        tokens = ApiToken.objects.select_related("user").order_by("pk")
        if not tokens:
            self.stdout.write("No API tokens.")
            return
        self.stdout.write(f"{'id':>5}  {'prefix':<12} {'kind':<9} {'state':<8} {'owner':<30} name")
        for token in tokens:
            if token.revoked_at is not None:
                state = "revoked"
            elif not token.is_usable(now=now):
                state = "expired"
            else:
                state = "active"
            owner = str(token.user) if token.user else "-"
            self.stdout.write(
                f"{token.pk:>5}  {token.prefix:<12} {token.kind:<9} {state:<8} {owner:<30} "
                f"{token.name}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        if options["token_id"] is not None:
            matches = list(ApiToken.objects.filter(pk=options["token_id"]))
            described = f"id {options['token_id']}"
        else:
            prefix = options["prefix"].strip()
            matches = list(ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True))
            described = f"prefix {prefix}"
        if not matches:
            raise CommandError(f"No active token with {described}. See `okpay token list`.")
        if len(matches) > 1:
            ids = ", ".join(str(t.pk) for t in matches)
            raise CommandError(
                f"Several active tokens share {described} (ids {ids}); revoke one with --id."
            )
        token = matches[0]
        if token.revoked_at is not None:
            raise CommandError(f"Token #{token.pk} was already revoked at {token.revoked_at}.")
        token_revoke(token=token)
        self.stdout.write(f"Revoked token #{token.pk} '{token.name}' ({token.prefix}).")
