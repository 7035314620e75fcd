"""Help-center and contact pages. Each view parses input, calls a selector or service, renders."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okpay.identity.models import User
from okpay.support import selectors
from okpay.support.advice import check_advice
from okpay.support.errors import ArticleNotFound, CategoryNotFound, CheckValueInvalid
from okpay.support.markup import render_markdown
from okpay.support.search import search_articles
from okpay.support.services import article_vote, channel_check
from okpay.support.services.helpcenter import vote_tally

MAX_QUERY_LENGTH = 200


def current_language() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def _session_key(request: HttpRequest, *, create: bool) -> str:
    if not request.session.session_key and create:
        request.session["support_voter"] = True
        request.session.save()
    return request.session.session_key or ""


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "support/home.html",
        {
            "lang": current_language(),
            "categories": selectors.category_list(),
            "popular": selectors.article_popular(limit=6),
        },
    )


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        cat = selectors.category_get(slug=slug)
    except CategoryNotFound as exc:
        raise Http404(str(exc.message)) from exc
    return render(
        request,
        "support/category.html",
        {
            "lang": current_language(),
            "category": cat,
            "articles": selectors.article_list(category=cat),
            "categories": selectors.category_list(),
        },
    )


@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        art = selectors.article_get(slug=slug)
    except ArticleNotFound as exc:
        raise Http404(str(exc.message)) from exc
    return _render_article(request, art)


def _render_article(request: HttpRequest, art: Any, *, status: int = 200) -> HttpResponse:
    lang = current_language()
    shown = art.content_language(lang)
    body = art.body_en if shown == "en" else art.body_zh
    return render(
        request,
        "support/article.html",
        {
            "lang": lang,
            "shown_lang": shown,
            "fallback": shown != lang,
            "article": art,
            "title": art.title(shown),
            "summary": art.summary(shown),
            "body_html": render_markdown(body),
            "steps": [
                {
                    "text": s.text(shown),
                    "image": s.image,
                    "alt": s.image_alt_en if shown == "en" else s.image_alt_zh,
                }
                for s in art.steps.all()
            ],
            "related": selectors.article_related(article=art),
            "tally": vote_tally(
                article=art, user=_user(request), session_key=_session_key(request, create=False)
            ),
        },
        status=status,
    )


@require_POST
def article_vote_view(request: HttpRequest, slug: str) -> HttpResponse:
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        return redirect("support:article", slug=slug)
    try:
        article_vote(
            slug=slug,
            helpful=helpful == "yes",
            user=_user(request),
            session_key=_session_key(request, create=_user(request) is None),
        )
    except ArticleNotFound as exc:
        raise Http404(str(exc.message)) from exc
    return redirect(request.path.rsplit("vote/", 1)[0] + "#helpful")


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    lang = current_language()
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    hits = search_articles(query, language=lang, limit=20) if query else []
    return render(
        request,
        "support/search.html",
        {"lang": lang, "query": query, "hits": hits, "categories": selectors.category_list()},
    )


@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "support/contact.html",
        {"lang": current_language(), "channels": selectors.channel_list()},
    )


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    value = (request.POST.get("value") or request.GET.get("value") or "").strip()
    context: dict[str, Any] = {"lang": current_language(), "value": value}
    status = 200
    if value:
        try:
            result, channel = channel_check(value=value)
            context.update(result=result, channel=channel, advice=check_advice(result))
        except CheckValueInvalid as exc:
            context["error"] = exc.message
            status = 400
    return render(request, "support/check.html", context, status=status)


@staff_member_required
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The admin editor's live preview: the same renderer as the public article page."""
    return HttpResponse(render_markdown(request.POST.get("body", "")[:100_000]))
