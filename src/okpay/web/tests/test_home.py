"""The public layout: home page in both languages, the language switch, error pages."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from okpay.money.currencies import enabled_currencies
from okpay.web.templatetags.okpay_web import bcp47

NOTICE_EN = "OKpay staff will never ask for your password, 2FA code or full card number."
NOTICE_ZH = "OKpay 工作人员绝不会向您索要密码、双重验证码或完整卡号。"


def test_home_is_in_simplified_chinese_by_default(client: Client) -> None:
    # when
    response = client.get("/")

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "全球支付，简单便捷。" in html
    assert "多币种钱包" in html
    assert NOTICE_ZH in html
    assert "Global payments, made simple." not in html


def test_home_in_english_from_accept_language(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "en-US,en;q=0.9"})

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Global payments, made simple." in html
    assert NOTICE_EN in html
    assert "全球支付" not in html


def test_language_cookie_wins_over_accept_language(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9"})

    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Multi-currency wallet" in html


def test_home_lists_every_enabled_currency_with_its_local_name(client: Client) -> None:
    html_zh = client.get("/").content.decode()
    html_en = client.get("/", headers={"accept-language": "en"}).content.decode()

    currencies = enabled_currencies()
    assert currencies, "the default configuration enables currencies"
    for currency in currencies:
        assert f'<span class="currency-code">{currency.code}</span>' in html_zh
        assert f'<span class="currency-name">{currency.name_zh}</span>' in html_zh
        assert f'<span class="currency-name">{currency.name_en}</span>' in html_en


def test_home_links_to_api_docs_and_back_office(client: Client) -> None:
    html = client.get("/").content.decode()

    assert 'href="/api/docs"' in html
    assert 'href="/admin/"' in html


def test_language_switch_marks_the_current_language(client: Client) -> None:
    html = client.get("/", headers={"accept-language": "en"}).content.decode()

    form = re.search(
        r'<form class="lang-switch" action="/i18n/setlang/" method="post".*?</form>', html, re.S
    )
    assert form is not None
    buttons = re.findall(r"<button[^>]*>[^<]*</button>", form.group(0))
    assert buttons == [
        '<button type="submit" name="language" value="zh-hans" lang="zh-Hans" '
        'aria-pressed="false">简体中文</button>',
        '<button type="submit" name="language" value="en" lang="en" class="is-current" '
        'aria-pressed="true">English</button>',
    ]
    assert '<input type="hidden" name="next" value="/">' in form.group(0)
    assert 'name="csrfmiddlewaretoken"' in form.group(0)


def test_set_language_without_csrf_token_is_refused() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="zh-Hans">' in client.get("/").content.decode()


def test_set_language_with_the_form_token_switches_to_english() -> None:
    client = Client(enforce_csrf_checks=True)
    html = client.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None

    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token.group(1)}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_admin_login_page_is_reachable(client: Client) -> None:
    response = client.get("/admin/login/", follow=True)

    assert response.status_code == 200
    assert 'type="password"' in response.content.decode()


def test_anonymous_visitor_is_offered_sign_in_and_sign_up(client: Client) -> None:
    html = client.get("/").content.decode()

    assert 'href="/account/login/"' in html
    assert 'href="/account/signup/"' in html


def test_unknown_page_is_a_404_in_the_layout(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "找不到该页面" in html
    assert 'class="lang-switch"' in html
    assert NOTICE_ZH in html


def test_404_page_in_english(client: Client) -> None:
    response = client.get("/no-such-page/", headers={"accept-language": "en"})

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert NOTICE_EN in html


@pytest.mark.parametrize(
    ("language", "lang", "title", "notice"),
    [("zh-hans", "zh-Hans", "出错了", NOTICE_ZH), ("en", "en", "Something went wrong", NOTICE_EN)],
)
def test_500_page_renders_in_the_layout_without_a_request_context(
    language: str, lang: str, title: str, notice: str
) -> None:
    request = RequestFactory().get("/")

    with translation.override(language):
        response = server_error(request)

    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert title in html
    assert notice in html
    assert "csrfmiddlewaretoken" not in html


def test_static_stylesheet_is_served(client: Client) -> None:
    response = client.get("/static/web/okpay.css")

    assert response.status_code == 200
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert b'"PingFang SC"' in body
    assert b'"Microsoft YaHei"' in body


@pytest.mark.parametrize(
    ("code", "tag"),
    [
        ("zh-hans", "zh-Hans"),
        ("en", "en"),
        ("en-gb", "en-GB"),
        ("zh_Hant_TW", "zh-Hant-TW"),
        ("", ""),
    ],
)
def test_bcp47_tag(code: str, tag: str) -> None:
    assert bcp47(code) == tag


@pytest.mark.django_db
def test_signed_in_customer_is_offered_their_account(client: Client) -> None:
    user = get_user_model().objects.create_user("li.wei@okpay.example", "OKpay-demo-2026")
    client.force_login(user)

    html = client.get("/").content.decode()

    assert 'href="/account/"' in html
    assert 'href="/account/login/"' not in html
