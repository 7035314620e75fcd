"""`okpay smtpd`: the built-in SMTP listener that turns mail to the support address into tickets.

Each message is handed to ``email_ticket_ingest`` in a worker thread (the database is used
synchronously); a refusal becomes a 5xx answer with a clear text, anything else is a 451
"try again later" so that the sending server keeps the message.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from okpay.support.services.email_in import EmailRefused, email_ticket_ingest

logger = logging.getLogger("okpay.smtpd")


def _ingest(raw: bytes, envelope_from: str, recipients: list[str]) -> str:
    close_old_connections()
    try:
        result = email_ticket_ingest(raw=raw, envelope_from=envelope_from, recipients=recipients)
    except EmailRefused as exc:
        logger.info("refused mail from %s: %s", envelope_from, exc.smtp_reply)
        return exc.smtp_reply
    finally:
        close_old_connections()
    logger.info(
        "mail from %s %s ticket %s",
        envelope_from,
        "opened" if result.created else "added to",
        result.ticket.number,
    )
    return f"250 2.0.0 Received: ticket {result.ticket.number}"


class SupportMailHandler:
    """aiosmtpd handler: only the support address as recipient, then ingest the message."""

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.strip().lower() != settings.OKPAY_SUPPORT_EMAIL.lower():
            return "550 5.1.1 This server accepts mail for the support address only."
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        try:
            return await sync_to_async(_ingest, thread_sensitive=False)(
                raw, str(envelope.mail_from or ""), list(envelope.rcpt_tos)
            )
        except Exception:
            logger.exception("mail from %s could not be stored", envelope.mail_from)
            return "451 4.3.0 The message could not be stored now; try again later."


def build_controller(*, host: str, port: int) -> Controller:
    return Controller(
        SupportMailHandler(),
        hostname=host,
        port=port,
        data_size_limit=settings.OKPAY_SUPPORT_MAX_MESSAGE_BYTES,
        decode_data=False,
        ident="OKpay support",
    )


class Command(BaseCommand):
    help = "Receive e-mail for the support address and turn it into tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.OKPAY_SMTPD_HOST)
        parser.add_argument("--port", type=int, default=settings.OKPAY_SMTPD_PORT)

    def handle(self, *args: Any, **options: Any) -> None:
        controller = build_controller(host=options["host"], port=options["port"])
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        controller.start()
        self.stdout.write(
            f"okpay smtpd: mail for {settings.OKPAY_SUPPORT_EMAIL} on "
            f"{options['host']}:{options['port']}"
        )
        try:
            stop.wait()
        finally:
            controller.stop()
