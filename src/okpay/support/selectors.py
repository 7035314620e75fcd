"""Support reads: categories, articles in a language, related and popular articles."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from okpay.support.errors import ArticleNotFound, CategoryNotFound
from okpay.support.models import Article, Category, OfficialChannel


def category_list() -> QuerySet[Category]:
    return Category.objects.annotate(
        article_count=Count("articles", filter=Q(articles__published=True))
    ).order_by("order", "slug")


def category_get(*, slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise CategoryNotFound(field="category")
    return category


def article_list(*, category: Category | None = None) -> QuerySet[Article]:
    qs = Article.objects.filter(published=True).select_related("category")
    if category is not None:
        qs = qs.filter(category=category)
    return qs.order_by("category__order", "order", "slug")


def article_get(*, slug: str) -> Article:
    article = (
        Article.objects.filter(slug=slug, published=True)
        .select_related("category")
        .prefetch_related("steps")
        .first()
    )
    if article is None:
        raise ArticleNotFound(field="slug")
    return article


def article_related(*, article: Article, limit: int = 5) -> list[Article]:
    """Explicitly related articles first, then others of the same category."""
    explicit = list(article.related.filter(published=True).select_related("category"))
    seen = {article.pk, *(a.pk for a in explicit)}
    more = [
        a
        for a in article_list(category=article.category).exclude(pk__in=seen)[:limit]
        if a.pk not in seen
    ]
    return (explicit + more)[:limit]


def article_popular(*, limit: int = 6) -> list[Article]:
    """Most "helpful" votes first; the editors' order breaks ties (and fills a new site)."""
    return list(
        article_list()
        .annotate(helpful_votes=Count("votes", filter=Q(votes__helpful=True)))
        .order_by("-helpful_votes", "category__order", "order", "slug")[:limit]
    )


def channel_list() -> QuerySet[OfficialChannel]:
    return OfficialChannel.objects.filter(active=True).order_by("order", "pk")
