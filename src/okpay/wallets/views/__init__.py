"""The customer's wallet pages (signed in) and the public fee calculator."""

from okpay.wallets.views.operations import (
    convert,
    international,
    quote,
    quote_renew,
    send,
    top_up,
    withdraw,
)
from okpay.wallets.views.pages import (
    dashboard,
    fees,
    history,
    payee_add,
    payee_remove,
    payees,
    receipt,
    statement,
    transaction_detail,
    wallet_open,
)

__all__ = [
    "convert",
    "dashboard",
    "fees",
    "history",
    "international",
    "payee_add",
    "payee_remove",
    "payees",
    "quote",
    "quote_renew",
    "receipt",
    "send",
    "statement",
    "top_up",
    "transaction_detail",
    "wallet_open",
    "withdraw",
]
