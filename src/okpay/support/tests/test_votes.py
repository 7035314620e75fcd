import pytest
from django.test import Client

from okpay.identity.models import User
from okpay.support.errors import ArticleNotFound, VoterUnknown
from okpay.support.models import ArticleVote
from okpay.support.services import article_vote

pytestmark = pytest.mark.django_db


def _user(email: str = "voter@example.com") -> User:
    return User.objects.create_user(email, None)


def test_a_user_has_one_vote_per_article_and_can_change_it() -> None:
    user = _user()

    article_vote(slug="forgot-password", helpful=True, user=user, session_key="")
    tally = article_vote(slug="forgot-password", helpful=False, user=user, session_key="")

    assert ArticleVote.objects.filter(article__slug="forgot-password").count() == 1
    assert (tally.helpful, tally.not_helpful, tally.your_vote) == (0, 1, False)


def test_a_guest_session_has_one_vote_per_article() -> None:
    article_vote(slug="fees-explained", helpful=True, user=None, session_key="s1")
    article_vote(slug="fees-explained", helpful=True, user=None, session_key="s1")
    tally = article_vote(slug="fees-explained", helpful=True, user=None, session_key="s2")

    assert (tally.helpful, tally.not_helpful, tally.your_vote) == (2, 0, True)


def test_votes_of_different_users_add_up() -> None:
    article_vote(slug="withdraw", helpful=True, user=_user("a@example.com"), session_key="")
    tally = article_vote(
        slug="withdraw", helpful=False, user=_user("b@example.com"), session_key=""
    )

    assert (tally.helpful, tally.not_helpful) == (1, 1)


def test_vote_on_unknown_article_is_refused_and_stores_nothing() -> None:
    with pytest.raises(ArticleNotFound):
        article_vote(slug="no-such-article", helpful=True, user=None, session_key="s1")

    assert ArticleVote.objects.count() == 0


def test_vote_without_voter_is_refused() -> None:
    with pytest.raises(VoterUnknown):
        article_vote(slug="withdraw", helpful=True, user=None, session_key="")

    assert ArticleVote.objects.count() == 0


def test_vote_form_needs_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/help/a/withdraw/vote/", {"helpful": "yes"})

    assert response.status_code == 403
    assert ArticleVote.objects.count() == 0


def test_vote_form_counts_once_per_browser_session() -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    first = client.post("/help/a/withdraw/vote/", {"helpful": "yes"})
    client.post("/help/a/withdraw/vote/", {"helpful": "yes"})
    page = client.get("/help/a/withdraw/")

    assert first.status_code == 302
    assert first["Location"] == "/help/a/withdraw/#helpful"
    assert ArticleVote.objects.filter(article__slug="withdraw", helpful=True).count() == 1
    assert "1 person found this helpful." in page.content.decode()
    assert "Thank you for your feedback." in page.content.decode()
