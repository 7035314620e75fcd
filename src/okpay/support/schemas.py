"""Shapes of the support API (public, no authentication)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

Language = Literal["zh-hans", "en"]


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CategoryOut(Schema):
    slug: str
    name: str
    description: str
    article_count: int


class ArticleSummaryOut(Schema):
    slug: str
    category: str
    title: str
    summary: str
    language: Language = Field(description="The language the text is in (may fall back).")
    url: str
    score: float | None = Field(None, description="Relevance, only in search results.")


class ArticleListOut(Schema):
    query: str | None
    language: Language
    count: int
    results: list[ArticleSummaryOut]


class StepOut(Schema):
    position: int
    text: str
    image: str | None


class VotesOut(Schema):
    helpful: int
    not_helpful: int
    your_vote: bool | None


class ArticleOut(Schema):
    slug: str
    category: CategoryOut
    title: str
    summary: str
    language: Language
    fallback: bool = Field(description="True when the asked language is missing.")
    body_markdown: str
    body_html: str
    steps: list[StepOut]
    related: list[ArticleSummaryOut]
    votes: VotesOut
    updated_at: datetime
    url: str


class VoteIn(StrictInput):
    helpful: StrictBool


class ChannelOut(Schema):
    id: int
    kind: str
    platform: str | None
    value: str
    url: str | None
    name: str
    opening_hours: str | None
    time_zone: str | None
    expected_response: str
    best_for: str


class CheckIn(StrictInput):
    value: StrictStr = Field(
        min_length=1, max_length=300, description="E-mail, phone, web address or handle."
    )
    language: Language | None = None


class CheckOut(Schema):
    value: str
    kind: Literal["email", "phone", "web", "handle"]
    normalized: str
    verdict: Literal["official", "not_official"]
    official: bool
    reason: str = Field(
        description="match, official_domain, other_domain, extra_words, homoglyph, typosquat, "
        "similar_number, unknown_address or unrelated."
    )
    lookalike: bool
    channel: ChannelOut | None
    advice: str
