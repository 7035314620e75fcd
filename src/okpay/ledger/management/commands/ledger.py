"""`okpay ledger verify`: prove the ledger's invariants; `okpay ledger expire`: sweep holds."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okpay.ledger.selectors import ledger_verify
from okpay.ledger.services import pending_transfers_expire


class Command(BaseCommand):
    help = "Ledger maintenance: verify the invariants, expire timed-out pending transfers."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check debits = credits, balances = sums, limits held.")
        sub.add_parser("expire", help="Release the holds of pending transfers past their timeout.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "expire":
            count = pending_transfers_expire()
            self.stdout.write(f"expired {count} pending transfer(s)")
            return
        report = ledger_verify()
        for violation in report.violations:
            self.stderr.write(f"violation: {violation}")
        if not report.ok:
            raise CommandError(report.summary, returncode=1)
        self.stdout.write(report.summary)
