"""Background jobs of the ledger (run by `okpay worker`)."""

from __future__ import annotations

from django_tasks import task

from okpay.ledger.services import pending_transfers_expire


@task()
def expire_pending_transfers() -> int:
    """Expire every pending transfer whose timeout has passed; return how many expired.

    Safe to run at any time and any number of times: a transfer that is no longer pending,
    or not yet due, is left alone.
    """
    return pending_transfers_expire()
