from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from okpay.identity.models import User
from okpay.support.errors import ArticleNotFound, VoterUnknown
from okpay.support.models import Article, ArticleVote


@dataclass(frozen=True)
class VoteTally:
    article_id: int
    helpful: int
    not_helpful: int
    your_vote: bool | None


def vote_tally(*, article: Article, user: User | None, session_key: str) -> VoteTally:
    votes = ArticleVote.objects.filter(article=article)
    mine = None
    if user is not None:
        mine = votes.filter(user=user).values_list("helpful", flat=True).first()
    elif session_key:
        mine = (
            votes.filter(user__isnull=True, session_key=session_key)
            .values_list("helpful", flat=True)
            .first()
        )
    return VoteTally(
        article_id=article.pk,
        helpful=votes.filter(helpful=True).count(),
        not_helpful=votes.filter(helpful=False).count(),
        your_vote=mine,
    )


def article_vote(*, slug: str, helpful: bool, user: User | None, session_key: str) -> VoteTally:
    """Record "was this helpful?": one vote per signed-in user, else one per session.

    Voting again changes the earlier answer instead of adding a second one; the partial
    unique constraints keep that true when two requests race.
    """
    article = Article.objects.filter(slug=slug, published=True).first()
    if article is None:
        raise ArticleNotFound(field="slug")
    if user is None and not session_key:
        raise VoterUnknown()
    key: dict[str, object] = (
        {"user": user} if user is not None else {"user": None, "session_key": session_key}
    )
    for _attempt in range(2):
        try:
            with transaction.atomic():
                updated = ArticleVote.objects.filter(article=article, **key).update(
                    helpful=helpful, updated_at=timezone.now()
                )
                if not updated:
                    ArticleVote.objects.create(
                        article=article,
                        user=user,
                        session_key="" if user is not None else session_key,
                        helpful=helpful,
                    )
            break
        except IntegrityError:
            continue  # the other request created it first: the update wins next time
    return vote_tally(article=article, user=user, session_key=session_key)
