"""Background jobs of the identity app (run by `okpay worker`)."""

from __future__ import annotations

from dataclasses import asdict

from django_tasks import task

from okpay.identity.services.maintenance import identity_state_prune


@task()
def prune_identity_state() -> dict[str, int]:
    """Delete old throttling counters, tokens and grants; close timed-out sessions."""
    return asdict(identity_state_prune())
