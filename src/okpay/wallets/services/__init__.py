"""Writes of the wallets app. Every public service is importable from here."""

from okpay.wallets.services.chart import system_accounts_ensure, wallet_open
from okpay.wallets.services.operations import (
    conversion_create,
    deposit_create,
    international_transfer_create,
    p2p_send,
    recipient_find,
    withdrawal_create,
)
from okpay.wallets.services.payees import bank_account_validate, payee_add, payee_remove
from okpay.wallets.services.quotes import quote_create, quote_use
from okpay.wallets.services.settlement import SettleReport, rails_settle_due, transaction_settle

__all__ = [
    "SettleReport",
    "bank_account_validate",
    "conversion_create",
    "deposit_create",
    "international_transfer_create",
    "p2p_send",
    "payee_add",
    "payee_remove",
    "quote_create",
    "quote_use",
    "rails_settle_due",
    "recipient_find",
    "system_accounts_ensure",
    "transaction_settle",
    "wallet_open",
    "withdrawal_create",
]
