"""Reading the demo mailbox: the files Django's file-based e-mail backend writes.

Each file holds one or more messages, each followed by a line of 79 dashes. A message is
named ``<file name without .log>.<position>``; names are checked against a strict pattern
before any file is opened.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
FILE_NAME = re.compile(r"^\d{8}-\d{6}-\d+$")
MESSAGE_ID = re.compile(r"^(\d{8}-\d{6}-\d+)\.(\d{1,4})$")
MAX_FILES = 500


@dataclass(frozen=True)
class MailboxMessage:
    id: str
    to: str
    sender: str
    subject: str
    date: datetime | None
    language: str
    text: str
    html: str


def mailbox_directory() -> Path | None:
    """The mailbox folder when the file backend is in use, else None."""
    if settings.EMAIL_BACKEND != FILE_BACKEND:
        return None
    return Path(settings.EMAIL_FILE_PATH)


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return ""
    content = part.get_content()
    return content if isinstance(content, str) else ""


def _parse(message_id: str, raw: bytes) -> MailboxMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    try:
        date = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    return MailboxMessage(
        id=message_id,
        to=str(message["To"] or ""),
        sender=str(message["From"] or ""),
        subject=str(message["Subject"] or ""),
        date=date,
        language=str(message["Content-Language"] or ""),
        text=_body(message, "plain"),
        html=_body(message, "html"),
    )


def _split(path: Path) -> list[bytes]:
    data = path.read_bytes()
    return [chunk for chunk in data.split(SEPARATOR) if chunk.strip()]


def mailbox_messages(*, directory: Path, to: str = "") -> list[MailboxMessage]:
    """Every message in the mailbox, newest first; only those sent to ``to`` when given."""
    if not directory.is_dir():
        return []
    files = sorted(
        (p for p in directory.glob("*.log") if FILE_NAME.match(p.stem)),
        key=lambda p: (p.stat().st_mtime, p.name),
        reverse=True,
    )[:MAX_FILES]
    wanted = to.strip().lower()
    found: list[MailboxMessage] = []
    for path in files:
        chunks = _split(path)
        for position in range(len(chunks) - 1, -1, -1):
            message = _parse(f"{path.stem}.{position}", chunks[position])
            if wanted and wanted not in message.to.lower():
                continue
            found.append(message)
    return found


def mailbox_message(*, directory: Path, message_id: str) -> MailboxMessage | None:
    match = MESSAGE_ID.match(message_id)
    if match is None:
        return None
    path = directory / f"{match.group(1)}.log"
    if not path.is_file():
        return None
    chunks = _split(path)
    position = int(match.group(2))
    if position >= len(chunks):
        return None
    return _parse(message_id, chunks[position])
