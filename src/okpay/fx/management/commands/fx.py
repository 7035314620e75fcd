"""`okpay fx import FILE`: import ECB euro reference rates; `okpay fx rates`: show them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from okpay.fx.errors import FxImportInvalid
from okpay.fx.selectors import fx_max_age, rates_current
from okpay.fx.services import ECB_SOURCE, RatesImportResult, demo_rates_load, rates_import


def _when(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z")


class Command(BaseCommand):
    help = "Exchange rates: import an ECB rate file (XML or CSV), list the current rates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        do_import = sub.add_parser(
            "import", help="Import the newest day of an ECB euro reference rate file."
        )
        do_import.add_argument("file", help="eurofxref-daily.xml, eurofxref.csv, … or - (stdin)")
        do_import.add_argument(
            "--source",
            default=ECB_SOURCE,
            help=f"Source name stored with the rates ({ECB_SOURCE}).",
        )
        sub.add_parser("rates", help="Show each enabled currency's current rate against EUR.")
        sub.add_parser("demo", help="Load the shipped demo rates, dated now.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "rates":
            self._rates()
        elif action == "demo":
            for result in demo_rates_load():
                self._report(result)
        else:
            self._report(self._import(options["file"], options["source"]))

    def _import(self, file: str, source: str) -> RatesImportResult:
        try:
            content = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        try:
            return rates_import(content=content, source=source)
        except FxImportInvalid as exc:
            raise CommandError(str(exc.message)) from exc

    def _report(self, result: RatesImportResult) -> None:
        self.stdout.write(
            f"{result.source} rates as of {_when(result.as_of)}: "
            f"{len(result.currencies)} currencies, {result.created} new, "
            f"{result.updated} updated, {result.unchanged} unchanged"
        )
        if result.skipped:
            self.stdout.write("skipped (not ISO 4217 currencies): " + ", ".join(result.skipped))

    def _rates(self) -> None:
        hours = int(fx_max_age().total_seconds() // 3600)
        self.stdout.write(f"1 EUR buys (rates older than {hours} h are stale):")
        for row in rates_current():
            if row.rate is None or row.as_of is None:
                self.stdout.write(f"  {row.currency}  no rate")
                continue
            flag = "  STALE" if row.stale else ""
            self.stdout.write(
                f"  {row.currency}  {row.rate:>22}  {row.source}, {_when(row.as_of)}{flag}"
            )
