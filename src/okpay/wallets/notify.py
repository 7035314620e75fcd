"""Tell the user when an operation they waited for completes, fails or is returned.

E-mails go through ``okpay.notifications`` once a template named
``wallets/email/transaction_<status>`` exists; until then nothing is sent. Called from
``on_commit`` only, so a rolled-back settlement never notifies.
"""

from __future__ import annotations

import logging

from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from okpay.wallets.models import Transaction

logger = logging.getLogger(__name__)


def transaction_notify(*, transaction_id: int) -> bool:
    """Queue the e-mail about ``transaction_id``'s final status; True when one was queued."""
    txn = Transaction.objects.select_related("user").filter(pk=transaction_id).first()
    if txn is None:
        return False
    template = f"wallets/email/transaction_{txn.status}"
    try:
        get_template(f"{template}.txt")
    except TemplateDoesNotExist:
        return False
    from okpay.notifications.services import email_to_user
    from okpay.wallets.failures import failure_explain

    email_to_user(
        user=txn.user,
        template=template,
        context={
            "transaction": txn,
            "failure": failure_explain(txn.failure_code) if txn.failure_code else None,
        },
    )
    return True
