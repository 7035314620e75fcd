"""`okpay run`: everything needed to try OKpay in one command.

Migrates the database, loads the demo data, starts the web server and the background
worker as child processes and prints where to go. Ctrl-C (SIGINT) or SIGTERM stops both
children and exits 0; if either child dies on its own, the other is stopped too and the
command exits non-zero.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from okpay.config.env import env_int, env_str
from okpay.web.demo import DEMO_USERS

STOP_TIMEOUT_SECONDS = 10.0
READY_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.2


def browser_host(host: str) -> str:
    """The address a browser on this machine uses to reach a server bound to ``host``."""
    if host in ("0.0.0.0", ""):  # noqa: S104 - mapping the wildcard, not binding to it
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host.strip("[]"), port), timeout=0.5):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = "Migrate, load the demo data, then run the web server and the worker together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default=env_str("OKPAY_HOST", "127.0.0.1"),
            help="Address for the web server (default: $OKPAY_HOST or 127.0.0.1).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=env_int("OKPAY_PORT", 8000),
            help="Port for the web server (default: $OKPAY_PORT or 8000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        verbosity = options["verbosity"]
        self._stopping = False
        previous = {
            sig: signal.signal(sig, self._request_stop) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        children: dict[str, subprocess.Popen[bytes]] = {}
        try:
            self._say("Preparing the database ...")
            call_command("migrate", interactive=False, verbosity=min(max(verbosity - 1, 0), 1))
            if settings.DEBUG:
                call_command("demo_data", verbosity=verbosity)
            else:
                self._say("Debug mode is off (OKPAY_DEBUG=0): no demo data loaded.")
            self.stdout.flush()
            if self._stopping:
                return

            base = [sys.executable, "-m", "okpay.config.cli"]
            children["web server"] = subprocess.Popen(  # noqa: S603 - our own interpreter
                [*base, "serve", "--host", host, "--port", str(port)]
            )
            children["worker"] = subprocess.Popen([*base, "worker"])  # noqa: S603

            url_host = browser_host(host)
            shown = self._wait_until_listening(children, url_host, port)
            if shown:
                self._banner(f"http://{url_host}:{port}")
            while not self._stopping:
                self._raise_if_a_child_died(children)
                if not shown and _port_open(url_host, port):
                    shown = True
                    self._banner(f"http://{url_host}:{port}")
                time.sleep(POLL_SECONDS)
            self._say("Stopping ...")
        finally:
            self._stop_children(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self._say("Stopped.")

    def _request_stop(self, signum: int, frame: FrameType | None) -> None:
        self._stopping = True

    def _wait_until_listening(
        self, children: dict[str, subprocess.Popen[bytes]], host: str, port: int
    ) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not self._stopping and time.monotonic() < deadline:
            self._raise_if_a_child_died(children)
            if _port_open(host, port):
                return True
            time.sleep(POLL_SECONDS)
        if not self._stopping:
            self.stderr.write(
                f"The web server is not answering on port {port} after "
                f"{READY_TIMEOUT_SECONDS:.0f} s; still waiting (Ctrl-C to stop)."
            )
        return False

    def _raise_if_a_child_died(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for name, child in children.items():
            code = child.poll()
            if code is None or self._stopping:
                continue
            # A Ctrl-C in the terminal reaches the children too; give our own copy of the
            # signal a moment to arrive before calling it a failure.
            time.sleep(0.5)
            if not self._stopping:
                raise CommandError(f"The {name} stopped unexpectedly (exit status {code}).")

    def _stop_children(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for name, child in children.items():
            try:
                child.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The {name} did not stop in time: killing it.")
                child.kill()
                child.wait()

    def _banner(self, url: str) -> None:
        lines = [
            "",
            "OKpay is running.",
            "",
            f"  Web:          {url}/",
            f"  Back office:  {url}/admin/",
            f"  API docs:     {url}/api/docs",
        ]
        if settings.DEBUG:
            lines += ["", "  Demo logins (e-mail / password):"]
            width = max(len(user.email) for user in DEMO_USERS)
            for user in DEMO_USERS:
                lines.append(f"    {user.email:<{width}}  {user.password}  ({user.role})")
        lines += ["", "Press Ctrl-C to stop.", ""]
        self._say("\n".join(lines))

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
