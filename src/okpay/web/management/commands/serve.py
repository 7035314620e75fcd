"""`okpay serve`: the ASGI web server (uvicorn). Static files are served by WhiteNoise."""

from __future__ import annotations

import logging
import signal
import warnings
from types import FrameType
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from okpay.config.env import env_int, env_str

ASGI_APP = "okpay.config.asgi:application"


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


class Command(BaseCommand):
    help = "Run the web server (uvicorn) on okpay.config.asgi."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default=env_str("OKPAY_HOST", "127.0.0.1"),
            help="Address to listen on (default: $OKPAY_HOST or 127.0.0.1).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=env_int("OKPAY_PORT", 8000),
            help="Port to listen on (default: $OKPAY_PORT or 8000).",
        )
        parser.add_argument(
            "--reload", action="store_true", help="Restart when the source code changes."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        port = options["port"]
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535; got {port}.")
        # uvicorn shuts down gracefully on SIGINT/SIGTERM and then raises the signal again
        # with the handlers that were installed before it started: these end the command
        # with status 0 (and also cover a signal that arrives before uvicorn is listening).
        signal.signal(signal.SIGINT, _exit_cleanly)
        signal.signal(signal.SIGTERM, _exit_cleanly)
        # WhiteNoise streams static files from a synchronous iterator; under ASGI Django
        # warns about that on the first file. Expected here, so not worth a log line.
        warnings.filterwarnings(
            "ignore", message="StreamingHttpResponse must consume synchronous iterators"
        )
        uvicorn.run(
            ASGI_APP,
            host=options["host"],
            port=port,
            reload=options["reload"],
            reload_dirs=[str(settings.BASE_DIR)] if options["reload"] else None,
            lifespan="off",
            log_level=logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower(),
            server_header=False,
        )
