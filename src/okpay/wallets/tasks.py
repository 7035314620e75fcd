"""Background jobs of the wallets (run by `okpay worker`)."""

from __future__ import annotations

from django_tasks import task

from okpay.wallets.services import settlement


@task()
def rails_settle_due() -> dict[str, int]:
    """Settle every rail operation that is due; safe to run any number of times."""
    report = settlement.rails_settle_due()
    return {
        "completed": report.completed,
        "failed": report.failed,
        "returned": report.returned,
        "timed_out": report.timed_out,
        "waiting": report.waiting,
    }
