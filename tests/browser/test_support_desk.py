"""The support desk in a real browser (Debian's chromium via Playwright).

A customer searches the help center in Chinese, opens a ticket from a declined card
payment with the pre-filled form, an agent answers it from the agent inbox in a second
browser context, and the customer reads the answer and rates it once it is solved.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Iterator
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

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server: Any, settings: Any, tmp_path: Path) -> str:
    from django.apps import apps

    from okpay.fx.services import demo_rates_load
    from okpay.support.models import Article
    from okpay.wallets.services import system_accounts_ensure

    settings.OKPAY_SANDBOX_FORCE = ""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OKPAY_SUPPORT_ATTACHMENT_DIR = tmp_path / "attachments"
    system_accounts_ensure()
    demo_rates_load()
    if not Article.objects.exists():
        # A transactional test database is flushed: ship the help center again.
        importlib.import_module("okpay.support.migrations.0002_helpcenter_content").load(apps, None)
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


def _sign_in(page: Page, site: str, email: str) -> None:
    page.goto(f"{site}/account/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/login/"))


def _declined_card_top_up(user: Any) -> Any:
    from okpay.wallets.services.operations import deposit_create

    txn = deposit_create(user=user, amount_minor=10_051, currency="USD", funding_source="card")
    assert txn.status == "failed" and txn.failure_code
    return txn


def test_help_center_ticket_from_a_failed_payment_answer_and_rating(
    site: str, browser: Browser
) -> None:
    from okpay.identity.tests.fixtures import make_user
    from okpay.support.models import Ticket

    customer = make_user("mei@example.com", password=PASSWORD, display_name="Mei Lin")
    make_user("agent@okpay.example", password=PASSWORD, display_name="Agent Wu", role="agent")
    txn = _declined_card_top_up(customer)

    customer_context = browser.new_context(locale="en-GB")
    page = customer_context.new_page()
    _sign_in(page, site, customer.email)

    # The help center finds the top-up article for a Chinese question.
    page.goto(f"{site}/help/")
    page.locator("#help-q").fill("充值没到账")
    page.locator("#help-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/help/search/"))
    first_hit = page.locator(".search-results li a").first
    expect(first_hit).to_have_attribute("href", re.compile(r"/help/a/topup-delayed/"))

    # From the failed payment to a pre-filled ticket.
    page.goto(f"{site}/wallet/transactions/{txn.reference}/")
    page.locator("[data-testid=get-help]").click()
    expect(page).to_have_url(re.compile(r"/support/tickets/new/\?transaction="))
    expect(page.locator("#t-subject")).to_have_value(re.compile(re.escape(txn.reference)))
    expect(page.locator("#t-body")).to_have_value(re.compile(str(txn.failure_code)))
    expect(page.locator("#t-category")).to_have_value("payment_failed")
    page.locator("form.ticket-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/support/tickets/T-\d{6}/$"))
    ticket = Ticket.objects.get(requester=customer)
    assert list(ticket.transactions.values_list("reference", flat=True)) == [txn.reference]
    ticket_url = page.url

    # The agent opens it from the inbox and answers.
    agent_context = browser.new_context(locale="en-GB")
    agent = agent_context.new_page()
    _sign_in(agent, site, "agent@okpay.example")
    agent.goto(f"{site}/support/agent/")
    agent.get_by_role("link", name=ticket.number).click()
    expect(agent).to_have_url(re.compile(rf"/support/agent/tickets/{ticket.number}/$"))
    agent.locator("#a-body").fill("The card issuer declined it. Please try another card.")
    agent.locator(f"form[action$='/{ticket.number}/reply/'] button[type=submit]").click()
    expect(agent.locator(".ticket-thread")).to_contain_text("try another card")

    # The customer reads the reply; no rating before the ticket is solved.
    page.goto(ticket_url)
    expect(page.locator(".ticket-thread")).to_contain_text("try another card")
    expect(page.locator("form.ticket-rate")).to_have_count(0)

    # The agent marks it solved; the customer rates the answer.
    agent.reload()
    update = agent.locator(f"form[action$='/{ticket.number}/update/']")
    update.locator("select[name=status]").select_option("solved")
    update.locator("button[type=submit]").click()
    expect(
        agent.locator(f"form[action$='/{ticket.number}/update/'] select[name=status]")
    ).to_have_value("solved")

    page.reload()
    rate = page.locator("form.ticket-rate")
    rate.locator("input[name=rating][value='5']").check()
    rate.locator("#r-comment").fill("Clear answer, thank you.")
    rate.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("You rated this answer 5 of 5.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.csat_rating, ticket.csat_comment) == (
        "solved",
        5,
        "Clear answer, thank you.",
    )

    agent_context.close()
    customer_context.close()
