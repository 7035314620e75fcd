"""Money operations in a real browser (Debian's chromium via Playwright).

Top up by bank transfer (pending → completed once the bank settles), send to another user,
international transfer to an IBAN with the quote shown, convert, and a declined card
payment with its reason and next steps. Screenshots of the dashboard, the quote page and
the failed payment in English and Chinese go to ``<var dir>/screenshots``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

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
PASSWORD = "Harbour-lantern-58-violet"
IBAN = "DE89 3704 0044 0532 0130 00"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server: Any, settings: Any) -> str:
    from okpay.fx.services import demo_rates_load
    from okpay.wallets.services import system_accounts_ensure

    settings.OKPAY_SANDBOX_BANK_DELAY_SECONDS = 3
    settings.OKPAY_SANDBOX_FORCE = ""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    system_accounts_ensure()
    demo_rates_load()
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


def _user(email: str, name: str, country: str) -> Any:
    from okpay.identity.tests.fixtures import make_user

    return make_user(email, password=PASSWORD, display_name=name, country=country)


def _shot(page: Page, name: str) -> None:
    from django.conf import settings

    folder = Path(settings.VAR_DIR) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def _sign_in(page: Page, site: str, email: str) -> None:
    page.goto(f"{site}/account/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/login/"))


def _top_up(page: Page, site: str, method: str, currency: str, amount: str) -> None:
    page.goto(f"{site}/wallet/top-up/")
    page.locator(f"input[name=funding_source][value={method}]").check()
    page.select_option("#id_currency", currency)
    page.locator("#id_amount").fill(amount)
    page.locator("main form.card button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/wallet/transactions/OK\w+/$"))


def test_top_up_send_abroad_convert_and_a_declined_card(site: str, browser: Browser) -> None:
    from django.utils import timezone

    from okpay.wallets.services import rails_settle_due

    _user("alice@example.com", "Alice Zhang", "CN")
    _user("bob@example.com", "Bob Li", "GB")
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, site, "alice@example.com")

    # Top up by bank transfer: pending with an expected arrival, then completed.
    page.goto(f"{site}/wallet/top-up/")
    expect(page.locator("[data-testid=recharge-delay]")).to_contain_text("bank transfer arrives")
    _top_up(page, site, "bank_transfer", "CNY", "500")
    expect(page.locator("[data-testid=status]")).to_have_text("Pending")
    expect(page.locator("[data-testid=eta]")).to_be_visible()
    report = rails_settle_due(now=timezone.now() + timedelta(seconds=5))
    assert report.completed == 1
    page.reload()
    expect(page.locator("[data-testid=status]")).to_have_text("Completed")
    expect(page.locator("[data-testid=timeline] li")).to_have_count(2)

    # Money for the other operations, by card.
    _top_up(page, site, "card", "USD", "300")
    _top_up(page, site, "card", "EUR", "500")

    # Send to another user.
    page.goto(f"{site}/wallet/send/")
    page.locator("#id_recipient").fill("bob@example.com")
    page.select_option("#id_currency", "USD")
    page.locator("#id_amount").fill("20")
    page.select_option("#id_receive_currency", "USD")
    page.locator("main form.card button[type=submit]").click()
    expect(page.locator("[data-testid=quote]")).to_contain_text("Bob Li")
    page.locator("[data-testid=confirm]").click()
    expect(page.locator("[data-testid=status]")).to_have_text("Completed")

    # International transfer to an IBAN: the quote shows fee, rate, amount, arrival.
    page.goto(f"{site}/wallet/international/")
    page.locator("#id_name").fill("Hans Meier")
    page.locator("#id_address").fill("Hauptstraße 1, Berlin")
    page.select_option("#id_bank_country", "DE")
    page.select_option("#id_receive_currency", "EUR")
    page.locator("#id_iban").fill(IBAN)
    page.select_option("#id_currency", "USD")
    page.locator("#id_amount").fill("100")
    page.locator("main form.card button[type=submit]").click()
    quote = page.locator("[data-testid=quote]")
    for part in ("fee", "rate", "receive-amount", "arrival", "countdown"):
        expect(quote.locator(f"[data-testid={part}]")).to_be_visible()
    _shot(page, "wallet-quote-en")
    page.locator("[data-testid=confirm]").click()
    expect(page.locator("[data-testid=status]")).to_have_text("Processing")

    # Convert between own wallets.
    page.goto(f"{site}/wallet/convert/")
    page.select_option("#id_currency", "EUR")
    page.locator("#id_amount").fill("50")
    page.select_option("#id_to_currency", "USD")
    page.locator("main form.card button[type=submit]").click()
    expect(page.locator("[data-testid=rate]")).to_contain_text("1 EUR =")
    page.locator("[data-testid=confirm]").click()
    expect(page.locator("[data-testid=status]")).to_have_text("Completed")

    # A declined card: reason, next steps and the way to get help.
    _top_up(page, site, "card", "USD", "100.51")
    failed_url = page.url
    failure = page.locator("[data-testid=failure]")
    expect(failure).to_contain_text("card_declined")
    expect(page.locator("[data-testid=next-steps] li")).not_to_have_count(0)
    expect(page.locator("[data-testid=get-help]")).to_have_attribute(
        "href", re.compile(r"^/support/tickets/new/\?transaction=OK")
    )
    _shot(page, "wallet-failed-en")

    page.goto(f"{site}/wallet/?display=USD")
    expect(page.locator("[data-testid=wallet-USD]")).to_be_visible()
    expect(page.locator("[data-testid=wallet-EUR] svg.chart")).to_be_visible()
    _shot(page, "wallet-dashboard-en")

    # The same pages in Chinese.
    page.locator("form.lang-switch button[value=zh-hans]").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    _shot(page, "wallet-dashboard-zh")
    page.goto(failed_url)
    expect(page.locator("[data-testid=next-steps]")).to_be_visible()
    _shot(page, "wallet-failed-zh")
    page.goto(f"{site}/wallet/convert/")
    page.select_option("#id_currency", "USD")
    page.locator("#id_amount").fill("10")
    page.select_option("#id_to_currency", "CNY")
    page.locator("main form.card button[type=submit]").click()
    expect(page.locator("[data-testid=countdown]")).to_be_visible()
    _shot(page, "wallet-quote-zh")
    context.close()
