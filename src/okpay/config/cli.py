"""The `okpay` console command: Django's management commands under friendlier names."""

from __future__ import annotations

import os
import sys

ALIASES = {"demo-data": "demo_data"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okpay.config.settings")
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(["okpay", *args])


if __name__ == "__main__":
    main()
