import json

import pytest
from django.test import Client

from okpay.support.models import ArticleVote

pytestmark = pytest.mark.django_db


def _json(response: object) -> dict:
    return json.loads(response.content)  # type: ignore[attr-defined]


def test_search_articles_in_chinese() -> None:
    response = Client().get("/api/v1/support/articles", {"q": "充值没到账", "language": "zh-hans"})

    body = _json(response)
    assert response.status_code == 200
    assert body["query"] == "充值没到账"
    assert body["language"] == "zh-hans"
    assert body["results"][0]["slug"] == "topup-delayed"
    assert body["results"][0]["url"] == "/help/a/topup-delayed/"
    assert body["results"][0]["score"] > 0
    assert set(body["results"][0]) == {
        "slug",
        "category",
        "title",
        "summary",
        "language",
        "url",
        "score",
    }


def test_list_articles_of_a_category_in_english() -> None:
    body = _json(Client().get("/api/v1/support/articles", {"category": "fees", "language": "en"}))

    assert [a["slug"] for a in body["results"]] == ["fees-explained", "currency-conversion"]
    assert body["results"][0]["title"] == (
        "Fees explained: domestic versus international, and how to work them out before you pay"
    )
    assert body["results"][0]["score"] is None


def test_unknown_category_is_404_in_error_shape() -> None:
    response = Client().get("/api/v1/support/articles", {"category": "nope"})

    assert response.status_code == 404
    assert _json(response)["error"]["code"] == "category_not_found"


def test_article_by_slug() -> None:
    response = Client().get("/api/v1/support/articles/forgot-password", {"language": "en"})

    body = _json(response)
    assert response.status_code == 200
    assert body["title"] == "Forgot your password? Reset it by e-mail"
    assert body["fallback"] is False
    assert body["category"]["slug"] == "account"
    assert [s["position"] for s in body["steps"]] == [1, 2, 3, 4]
    assert body["body_html"].startswith("<h2>How the reset link works</h2>")
    assert body["votes"] == {"helpful": 0, "not_helpful": 0, "your_vote": None}
    assert body["related"][0]["slug"] == "account-locked"


def test_unknown_article_is_404_in_error_shape() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/support/articles/nope")

    assert response.status_code == 404
    assert _json(response)["error"] == {
        "code": "article_not_found",
        "message": "This help article does not exist or is not published.",
        "field": "slug",
    }


def test_vote_counts_once_per_session() -> None:
    client = Client()

    client.post(
        "/api/v1/support/articles/fees-explained/vote",
        {"helpful": True},
        content_type="application/json",
    )
    response = client.post(
        "/api/v1/support/articles/fees-explained/vote",
        {"helpful": False},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert _json(response) == {"helpful": 0, "not_helpful": 1, "your_vote": False}
    assert ArticleVote.objects.count() == 1


def test_vote_requires_json_body() -> None:
    # A cross-site form can send a JSON-looking text/plain body: it is refused.
    response = Client().post(
        "/api/v1/support/articles/fees-explained/vote",
        '{"helpful": true}',
        content_type="text/plain",
    )

    assert response.status_code == 415
    assert _json(response)["error"]["code"] == "json_required"
    assert ArticleVote.objects.count() == 0


def test_vote_rejects_non_boolean() -> None:
    response = Client().post(
        "/api/v1/support/articles/fees-explained/vote",
        {"helpful": "yes"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert _json(response)["error"]["code"] == "invalid_request"
    assert ArticleVote.objects.count() == 0


def test_channels_list() -> None:
    body = _json(Client().get("/api/v1/support/channels", {"language": "en"}))

    email = next(c for c in body if c["value"] == "support@okpay.example")
    assert email["kind"] == "email"
    assert email["expected_response"] == "Answered within 24–48 hours"
    assert {c["platform"] for c in body if c["kind"] == "social"} == {
        "wechat",
        "weibo",
        "x",
        "facebook",
        "linkedin",
    }
    phone = next(c for c in body if c["value"] == "+86 400 123 4567" and c["kind"] == "phone")
    assert phone["time_zone"] == "Asia/Shanghai"
    assert phone["opening_hours"] == "Every day 08:00–22:00"


def test_check_official_phone() -> None:
    response = Client().post(
        "/api/v1/support/check",
        {"value": "4001234567", "language": "en"},
        content_type="application/json",
    )

    body = _json(response)
    assert response.status_code == 200
    assert body["verdict"] == "official"
    assert body["official"] is True
    assert body["kind"] == "phone"
    assert body["normalized"] == "+864001234567"
    assert body["channel"]["name"] == "Phone (China mainland)"


def test_check_lookalike_domain_in_chinese() -> None:
    response = Client().post(
        "/api/v1/support/check",
        {"value": "okpay.example.evil.com", "language": "zh-hans"},
        content_type="application/json",
    )

    body = _json(response)
    assert body["verdict"] == "not_official"
    assert body["reason"] == "other_domain"
    assert body["lookalike"] is True
    assert body["channel"] is None
    assert body["advice"].startswith("不是 OKpay")


def test_check_empty_value_is_invalid_request() -> None:
    response = Client().post(
        "/api/v1/support/check", {"value": ""}, content_type="application/json"
    )

    assert response.status_code == 400
    assert _json(response)["error"]["code"] == "invalid_request"
    assert _json(response)["error"]["field"] == "value"
