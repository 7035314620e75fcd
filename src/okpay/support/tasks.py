"""Background jobs of the support desk (run by `okpay worker`)."""

from __future__ import annotations

from django_tasks import task

from okpay.support.services.chat import chats_expire_waiting
from okpay.support.services.sla import sla_escalate_due


@task()
def support_sla_escalate() -> int:
    """Escalate tickets about to miss their SLA and record breaches; safe to repeat."""
    run = sla_escalate_due()
    return run.escalated + run.breaches


@task()
def support_chats_expire() -> int:
    """Turn waiting chats that no agent took in time (or after closing) into tickets."""
    return chats_expire_waiting()
