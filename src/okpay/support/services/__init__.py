"""Support writes: help-center votes and the official-channel check."""

from okpay.support.services.channels import channel_check
from okpay.support.services.helpcenter import VoteTally, article_vote

__all__ = ["VoteTally", "article_vote", "channel_check"]
