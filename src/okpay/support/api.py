"""The public help-center and channels API, mounted at /api/v1/support (no authentication).

Texts come in ``language`` (``zh-hans`` or ``en``; default: the request's language); an
article missing that language is returned in the other one with ``fallback: true``.
Votes count once per signed-in user or per session cookie; the vote endpoint accepts only
``application/json`` bodies, which a cross-site form cannot send.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from ninja import Query, Router

from okpay.identity.errors import JsonRequired
from okpay.identity.models import User
from okpay.ledger.schemas import ErrorResponse
from okpay.support import selectors
from okpay.support.advice import check_advice
from okpay.support.markup import render_markdown
from okpay.support.models import Article, Category, OfficialChannel
from okpay.support.schemas import (
    ArticleListOut,
    ArticleOut,
    ArticleSummaryOut,
    CategoryOut,
    ChannelOut,
    CheckIn,
    CheckOut,
    Language,
    StepOut,
    VoteIn,
    VotesOut,
)
from okpay.support.search import search_articles
from okpay.support.services import article_vote, channel_check
from okpay.support.services.helpcenter import vote_tally
from okpay.support.views import current_language

router = Router(tags=["support"])
ERRORS = {400: ErrorResponse, 404: ErrorResponse}


def _lang(language: str | None) -> str:
    return language if language in ("zh-hans", "en") else current_language()


def _summary(article: Article, lang: str, score: float | None = None) -> ArticleSummaryOut:
    shown = article.content_language(lang)
    return ArticleSummaryOut(
        slug=article.slug,
        category=article.category.slug,
        title=article.title(shown),
        summary=article.summary(shown),
        language=shown,  # type: ignore[arg-type]
        url=reverse("support:article", args=[article.slug]),
        score=score,
    )


def _category(category: Category, lang: str, count: int | None = None) -> CategoryOut:
    return CategoryOut(
        slug=category.slug,
        name=category.name(lang),
        description=category.description(lang),
        article_count=count
        if count is not None
        else category.articles.filter(published=True).count(),
    )


def _channel(ch: OfficialChannel, lang: str) -> ChannelOut:
    return ChannelOut(
        id=ch.pk,
        kind=ch.kind,
        platform=ch.platform or None,
        value=ch.value,
        url=ch.url or None,
        name=ch.name(lang),
        opening_hours=ch.hours(lang) or None,
        time_zone=ch.time_zone or None,
        expected_response=ch.response(lang),
        best_for=ch.best_for(lang),
    )


def _user(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


@router.get("/categories", response=list[CategoryOut], summary="Help categories")
def categories(request: HttpRequest, language: Language | None = None) -> list[CategoryOut]:
    lang = _lang(language)
    return [_category(c, lang, c.article_count) for c in selectors.category_list()]  # type: ignore[attr-defined]


@router.get(
    "/articles", response={200: ArticleListOut, 404: ErrorResponse}, summary="List or search"
)
def articles(
    request: HttpRequest,
    q: Query[str | None] = None,
    category: Query[str | None] = None,
    language: Query[Language | None] = None,
    limit: Query[int] = 20,
) -> ArticleListOut:
    """Published articles; with ``q`` the best matches first (BM25, Chinese segmented)."""
    lang = _lang(language)
    limit = max(1, min(limit, 100))
    cat = selectors.category_get(slug=category) if category else None
    query = (q or "").strip()[:200]
    if query:
        hits = search_articles(
            query, language=lang, limit=limit, category_id=cat.pk if cat else None
        )
        by_id = Article.objects.select_related("category").in_bulk([h.article.id for h in hits])
        results = [_summary(by_id[h.article.id], lang, round(h.score, 4)) for h in hits]
    else:
        results = [_summary(a, lang) for a in selectors.article_list(category=cat)[:limit]]
    return ArticleListOut(
        query=query or None,
        language=lang,  # type: ignore[arg-type]
        count=len(results),
        results=results,
    )


def _article_out(request: HttpRequest, article: Article, lang: str) -> ArticleOut:
    shown = article.content_language(lang)
    body = article.body_en if shown == "en" else article.body_zh
    tally = vote_tally(
        article=article, user=_user(request), session_key=request.session.session_key or ""
    )
    return ArticleOut(
        slug=article.slug,
        category=_category(article.category, lang),
        title=article.title(shown),
        summary=article.summary(shown),
        language=shown,  # type: ignore[arg-type]
        fallback=shown != lang,
        body_markdown=body,
        body_html=str(render_markdown(body)),
        steps=[
            StepOut(position=s.position, text=s.text(shown), image=s.image or None)
            for s in article.steps.all()
        ],
        related=[_summary(r, lang) for r in selectors.article_related(article=article)],
        votes=VotesOut(
            helpful=tally.helpful, not_helpful=tally.not_helpful, your_vote=tally.your_vote
        ),
        updated_at=article.updated_at,
        url=reverse("support:article", args=[article.slug]),
    )


@router.get(
    "/articles/{slug}", response={200: ArticleOut, 404: ErrorResponse}, summary="One article"
)
def article(request: HttpRequest, slug: str, language: Language | None = None) -> ArticleOut:
    return _article_out(request, selectors.article_get(slug=slug), _lang(language))


@router.post(
    "/articles/{slug}/vote",
    response={200: VotesOut, 400: ErrorResponse, 404: ErrorResponse},
    summary="Was this helpful?",
)
def vote(request: HttpRequest, slug: str, payload: VoteIn) -> VotesOut:
    if request.content_type != "application/json":
        raise JsonRequired()
    user = _user(request)
    if user is None and not request.session.session_key:
        request.session["support_voter"] = True
        request.session.save()
    tally = article_vote(
        slug=slug,
        helpful=payload.helpful,
        user=user,
        session_key=request.session.session_key or "",
    )
    return VotesOut(helpful=tally.helpful, not_helpful=tally.not_helpful, your_vote=tally.your_vote)


@router.get("/channels", response=list[ChannelOut], summary="Official channels")
def channels(request: HttpRequest, language: Language | None = None) -> list[ChannelOut]:
    lang = _lang(language)
    return [_channel(ch, lang) for ch in selectors.channel_list()]


@router.post(
    "/check", response={200: CheckOut, 400: ErrorResponse}, summary="Is this really OKpay?"
)
def check(request: HttpRequest, payload: CheckIn) -> CheckOut:
    lang = _lang(payload.language)
    result, channel = channel_check(value=payload.value)
    with translation.override(lang):
        advice = str(check_advice(result))
    return CheckOut(
        value=result.input,
        kind=result.kind.value,
        normalized=result.normalized,
        verdict=result.verdict.value,
        official=result.official,
        reason=result.reason.value,
        lookalike=result.lookalike,
        channel=_channel(channel, lang) if channel else None,
        advice=advice,
    )
