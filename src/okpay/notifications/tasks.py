"""Background jobs of the notifications app (run by `okpay worker`)."""

from __future__ import annotations

from django_tasks import task

from okpay.notifications.services import email_deliver, emails_retry_due


@task()
def deliver_email(email_id: int) -> bool:
    """Send one queued e-mail; safe to run twice (the second run does nothing)."""
    return email_deliver(email_id=email_id)


@task()
def retry_due_emails() -> int:
    """Give queued e-mails whose job was lost a new job; return how many."""
    return emails_retry_due()
