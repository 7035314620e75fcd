"""The whole account-security story in a real browser (Debian's chromium via Playwright).

Sign up → confirm the e-mail from the demo mailbox → sign in → turn on 2FA → sign out →
five wrong passwords lock the account → reset the password from the mailbox (with a 2FA
code) → sign in with the new password and a TOTP code.

Needs /usr/bin/chromium: without it the test fails (CI installs it), it is never skipped.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from django.db import connections

# Django's live server and Playwright's sync API share this thread's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EMAIL = "mei.wang@example.com"
PASSWORD = "Harbour-lantern-58-violet"
NEW_PASSWORD = "Granite-willow-73-comet"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server: Any, settings: Any, tmp_path: Path) -> str:
    settings.DEBUG = True  # the demo mailbox exists only in debug mode
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mailbox")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = live_server.url
    return str(live_server.url)


@pytest.fixture
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: install Debian's chromium package"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
            # The test body's database work ran under Playwright's event loop with
            # connections of its own: close them, or PostgreSQL keeps the test database busy.
            connections.close_all()


def _shot(page: Page, name: str) -> None:
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _open_latest_mail(page: Page, site: str, subject: str) -> str:
    """Open the newest message to EMAIL with ``subject`` in the mailbox; return its link."""
    page.goto(f"{site}/dev/mailbox/?to={EMAIL}")
    page.get_by_role("link", name=subject).first.click()
    expect(page.locator(".mail-to")).to_contain_text(EMAIL)
    href = page.locator("pre.mail-text a").first.get_attribute("href")
    assert href is not None and href.startswith(site)
    return href


def _fresh_code(totp: pyotp.TOTP, used: list[int]) -> str:
    """A code for a time step after every one used so far (waiting if need be)."""
    wanted = max(used) + 1
    while wanted > int(time.time()) // 30 + 1:  # at most one step ahead is accepted
        time.sleep(0.5)
    used.append(wanted)
    return totp.at(wanted * 30)


def _sign_in(page: Page, site: str, password: str) -> None:
    page.goto(f"{site}/account/login/")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def test_sign_up_verify_2fa_lockout_reset_and_sign_in(site: str, browser: Browser) -> None:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()

    # Sign up.
    page.goto(f"{site}/account/signup/")
    page.locator("#id_email").fill(EMAIL)
    page.locator("#id_display_name").fill("Wang Mei")
    page.locator("#id_password").fill(PASSWORD)
    expect(page.locator(".meter-label")).to_have_text(re.compile("Strong|Very strong"))
    page.locator("#id_phone").fill("+86 139 1234 5678")
    page.locator("#id_country").select_option("CN")
    _shot(page, "signup-en")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Check your e-mail")

    # Confirm the address from the demo mailbox.
    link = _open_latest_mail(page, site, "Confirm your e-mail address for OKpay")
    _shot(page, "mailbox-verify-en")
    page.goto(link)
    page.get_by_role("button", name="Confirm my e-mail address").click()
    expect(page.locator("h1")).to_contain_text("your e-mail address is confirmed")

    # Sign in and turn on two-factor authentication.
    _sign_in(page, site, PASSWORD)
    expect(page).to_have_url(f"{site}/account/")
    page.goto(f"{site}/account/two-factor/enable/")
    secret = page.locator("[data-testid=totp-secret]").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    used = [int(time.time()) // 30 - 1]
    _shot(page, "two-factor-enable-en")
    page.locator("#id_code").fill(_fresh_code(totp, used))
    page.get_by_role("button", name="Turn on", exact=True).click()
    expect(page.locator("[data-testid=recovery-codes] li")).to_have_count(10)
    page.goto(f"{site}/account/")
    expect(page.locator("[data-testid=two-factor-status]")).to_have_text("On")
    _shot(page, "account-en")

    # Sign out.
    page.locator("[data-testid=sign-out]").click()
    expect(page).to_have_url(f"{site}/account/login/")

    # Five wrong passwords lock the account.
    for attempt in range(1, 6):
        _sign_in(page, site, f"Wrong-password-{attempt}x")
        error = page.locator("[data-testid=login-error]")
        expected = "account_locked" if attempt == 5 else "invalid_credentials"
        expect(error).to_have_attribute("data-code", expected)
    expect(page.locator("[data-testid=login-error]")).to_contain_text("locked until")
    _shot(page, "locked-en")

    # The right password does not help while locked.
    _sign_in(page, site, PASSWORD)
    expect(page.locator("[data-testid=login-error]")).to_have_attribute(
        "data-code", "account_locked"
    )

    # Reset the password from the mailbox; 2FA is on, so the reset needs a code.
    page.get_by_role("link", name="Forgot password", exact=True).click()
    page.locator("#id_email").fill(EMAIL)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-testid=reset-sent]")).to_contain_text(EMAIL)
    link = _open_latest_mail(page, site, "Reset your OKpay password")
    page.goto(link)
    page.locator("#id_new_password").fill(NEW_PASSWORD)
    page.locator("#id_code").fill(_fresh_code(totp, used))
    _shot(page, "reset-en")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Your password was changed")

    # Sign in with the new password and a TOTP code.
    _sign_in(page, site, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/account/login/2fa/"))
    page.locator("#id_code").fill(_fresh_code(totp, used))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{site}/account/")
    expect(page.locator("h1")).to_have_text("Hello, Wang Mei")

    # The security log tells the story.
    page.goto(f"{site}/account/security-log/")
    for kind in ["account_locked", "account_unlocked", "password_reset_completed", "totp_enabled"]:
        expect(page.locator(f"tr[data-kind={kind}]").first).to_be_visible()
    _shot(page, "security-log-en")

    # Switch the signed-in pages to Simplified Chinese with the language switch.
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("tr[data-kind=account_locked] td").nth(1)).to_have_text("账户已锁定")
    _shot(page, "security-log-zh")
    page.goto(f"{site}/account/devices/")
    _shot(page, "devices-zh")

    # The same pages in Simplified Chinese.
    chinese = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    zh = chinese.new_page()
    zh.goto(f"{site}/account/login/")
    expect(zh.locator("html")).to_have_attribute("lang", "zh-Hans")
    _shot(zh, "login-zh")
    zh.goto(f"{site}/account/signup/")
    _shot(zh, "signup-zh")
    chinese.close()
    context.close()
