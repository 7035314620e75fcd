"""Support models: the help center (articles, categories, votes, synonyms) and channels."""

from okpay.support.models.channels import ChannelKind, OfficialChannel, SocialPlatform
from okpay.support.models.helpcenter import (
    Article,
    ArticleStep,
    ArticleVote,
    Category,
    Synonym,
)

__all__ = [
    "Article",
    "ArticleStep",
    "ArticleVote",
    "Category",
    "ChannelKind",
    "OfficialChannel",
    "SocialPlatform",
    "Synonym",
]
