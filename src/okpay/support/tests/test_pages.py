import pytest
from django.test import Client

from okpay.identity.models import User
from okpay.support.models import Article

pytestmark = pytest.mark.django_db

NOTICE_EN = "OKpay staff will never ask for your password, 2FA code or full card number."


def _get(path: str, lang: str, **params: str) -> tuple[int, str]:
    response = Client(HTTP_ACCEPT_LANGUAGE=lang).get(path, params)
    return response.status_code, response.content.decode()


def test_help_center_home_in_both_languages() -> None:
    status_en, en = _get("/help/", "en")
    status_zh, zh = _get("/help/", "zh-hans")

    assert (status_en, status_zh) == (200, 200)
    assert "How can we help?" in en
    assert "Account and sign-in" in en
    assert 'href="/help/a/' in en
    assert "账户与登录" in zh
    assert "How can we help?" not in zh


def test_category_page_lists_its_articles() -> None:
    status, html = _get("/help/c/security/", "en")

    assert status == 200
    assert "Turn on two-factor authentication (2FA)" in html
    assert "Exchange rates and currency conversion" not in html


def test_article_page_renders_markdown_steps_and_related_in_english() -> None:
    status, html = _get("/help/a/account-locked/", "en")

    assert status == 200
    assert '<h1 class="page-title">My account is locked</h1>' in html
    assert "<h2>Why accounts lock</h2>" in html
    assert "<table" in html
    assert "Wait 30 minutes for the lock to lift" in html  # step 1
    assert 'href="/help/a/forgot-password/"' in html  # related
    assert "csrfmiddlewaretoken" in html
    assert NOTICE_EN in html


def test_article_page_in_chinese() -> None:
    status, html = _get("/help/a/account-locked/", "zh-hans")

    assert status == 200
    assert "账户被锁定了怎么办？" in html
    assert "<h2>为什么会被锁定</h2>" in html


def test_article_missing_in_the_language_falls_back_with_a_notice() -> None:
    article = Article.objects.get(slug="withdraw")
    article.title_en = article.summary_en = article.body_en = ""
    article.save()

    status, html = _get("/help/a/withdraw/", "en")

    assert status == 200
    assert "提现到银行账户" in html
    assert "This article is not yet available in English; it is shown in Chinese." in html


def test_unknown_and_unpublished_articles_are_404() -> None:
    Article.objects.filter(slug="withdraw").update(published=False)

    assert _get("/help/a/withdraw/", "en")[0] == 404
    assert _get("/help/a/nope/", "en")[0] == 404
    assert _get("/help/c/nope/", "en")[0] == 404


def test_search_page_in_both_languages() -> None:
    status_zh, zh = _get("/help/search/", "zh-hans", q="忘记密码")
    status_en, en = _get("/help/search/", "en", q="top up not arrived")

    assert (status_zh, status_en) == (200, 200)
    assert zh.index("忘记密码：如何重置登录密码") < zh.index("账户被锁定了怎么办？")
    assert "Top-up not arrived? Bank transfer arrival times" in en


def test_search_page_without_results_offers_contact() -> None:
    status, html = _get("/help/search/", "en", q="xyzzyqwv")

    assert status == 200
    assert "No article matches." in html
    assert 'href="/help/contact/"' in html


def test_contact_page_lists_channels_with_response_and_notice() -> None:
    status, en = _get("/help/contact/", "en")
    _, zh = _get("/help/contact/", "zh-hans")

    assert status == 200
    assert "support@okpay.example" in en
    assert "Answered within 24–48 hours" in en
    assert "Large or urgent cases, suspected fraud, a taken-over account" in en
    assert "Asia/Shanghai" in en
    assert 'class="staff-notice"' in en
    assert "24–48 小时内回复" in zh


def test_checker_page_answers_in_both_languages() -> None:
    client_en = Client(HTTP_ACCEPT_LANGUAGE="en")
    client_zh = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")

    official = client_en.post("/help/check/", {"value": "(+86)400-123-4567"}).content.decode()
    fake = client_en.post("/help/check/", {"value": "okpay-support.example"}).content.decode()
    fake_zh = client_zh.post("/help/check/", {"value": "0kpay.example"}).content.decode()

    assert "Official OKpay channel" in official
    assert "Phone (China mainland)" in official
    assert "Not an official OKpay channel" in fake
    assert "adds words to OKpay" in fake
    assert "verdict-not-official" in fake_zh
    assert 'class="staff-notice"' in fake_zh


def test_checker_page_rejects_an_overlong_value() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/help/check/", {"value": "x" * 301})

    assert response.status_code == 400
    assert "Enter an e-mail address, a phone number" in response.content.decode()


def test_markdown_preview_is_staff_only_and_escapes_html() -> None:
    client = Client()
    assert client.post("/help/preview/", {"body": "# Hi"}).status_code == 302

    staff = User.objects.create_user("ops@example.com", None, is_staff=True)
    client.force_login(staff)
    response = client.post("/help/preview/", {"body": "# Hi\n\n<script>x</script>"})

    assert response.status_code == 200
    assert response.content.decode() == "<h1>Hi</h1>\n<p>&lt;script&gt;x&lt;/script&gt;</p>"
