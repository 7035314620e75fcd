"""Live chat in a real browser (Debian's chromium via Playwright), customer and agent live.

Django's live server speaks WSGI only, so the site is served here by uvicorn in a thread,
with the real ASGI application (HTTP and WebSocket) on the test database: this works on
SQLite and PostgreSQL alike. The agent opens the chat console (and so is online), the
customer asks from the widget — help-center articles are suggested while she types — the
agent accepts, and they write to each other live: typing, read marks, the sensitive-data
warning before a card number is sent (masked for the agent), and the end with the ticket.
"""

from __future__ import annotations

import importlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # WhiteNoise streams static files from a synchronous iterator (as under `okpay serve`).
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def asgi_site(transactional_db: None, settings: Any, tmp_path: Path) -> Iterator[str]:
    """The ASGI application served by uvicorn in a thread, on the test database."""
    import uvicorn
    from channels.layers import channel_layers
    from django.apps import apps

    from okpay.config.asgi import application
    from okpay.support import presence
    from okpay.support.models import Article, ChannelKind, OfficialChannel

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OKPAY_SUPPORT_ATTACHMENT_DIR = tmp_path / "attachments"
    settings.REDIS_URL = ""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends = {}
    presence.presence_reset()
    if not Article.objects.exists():
        # A transactional test database is flushed: ship the help center and channels again.
        importlib.import_module("okpay.support.migrations.0002_helpcenter_content").load(apps, None)
    if not OfficialChannel.objects.filter(kind=ChannelKind.WEB_CHAT).exists():
        importlib.import_module("okpay.support.migrations.0003_official_channels").load(apps, None)
    OfficialChannel.objects.filter(kind=ChannelKind.WEB_CHAT).update(
        hours_en="Every day 00:00–24:00"
    )

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, name="asgi-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        presence.presence_reset()
        channel_layers.backends = {}


@pytest.fixture
def browser() -> Iterator[Browser]:
    from django.db import connections

    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: install Debian's chromium package"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
            # Database work in the test body ran under Playwright's event loop, with
            # connections of its own: close them, or PostgreSQL keeps the test database busy.
            connections.close_all()


def _sign_in(page: Page, site: str, email: str) -> None:
    page.goto(f"{site}/account/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/login/"))


def test_customer_and_agent_chat_live_from_widget_to_ticket(
    asgi_site: str, browser: Browser
) -> None:
    from okpay.identity.tests.fixtures import make_user
    from okpay.support.models import ChatSession

    site = asgi_site
    customer = make_user("mei@example.com", password=PASSWORD, display_name="Mei Lin")
    make_user("agent@okpay.example", password=PASSWORD, display_name="Agent Wu", role="agent")

    # The agent opens the chat console: the socket connects and the agent is online.
    agent_context = browser.new_context(locale="en-GB")
    agent = agent_context.new_page()
    _sign_in(agent, site, "agent@okpay.example")
    agent.goto(f"{site}/support/agent/chats/")
    expect(agent.locator("[data-chat-live]")).to_contain_text("Live:")
    expect(agent.locator("[data-chat-widget]")).to_have_count(0)

    # The customer opens the widget; articles are suggested while she types her question.
    customer_context = browser.new_context(locale="en-GB")
    page = customer_context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    _sign_in(page, site, customer.email)
    page.goto(f"{site}/help/")
    page.locator("[data-chat-launcher]").click()
    widget = page.locator("[data-chat-widget]")
    widget.locator("#chat-topic").select_option("topup_delayed")
    widget.locator("#chat-first").fill("My bank top-up has not arrived")
    expect(widget.locator("[data-chat-suggest] a").first).to_have_attribute(
        "href", re.compile(r"^/help/a/")
    )
    widget.locator("[data-chat-start] button[type=submit]").click()
    expect(widget.locator("[data-chat-status]")).to_have_text("You are next in the queue.")

    # The waiting chat appears in the console; the agent accepts it.
    row = agent.locator("table.chat-queue tbody tr[data-chat]")
    expect(row).to_contain_text("My bank top-up has not arrived")
    row.locator("button[type=submit]").click()
    expect(agent).to_have_url(re.compile(r"/support/agent/chats/ch_[0-9a-f]{16}/$"))
    expect(widget.locator("[data-chat-status]")).to_have_text("You are chatting with Agent Wu.")
    expect(widget.locator("[data-chat-messages]")).to_contain_text("Agent Wu joined the chat.")

    # The agent writes; the customer reads it live and the agent sees it was read.
    agent.locator("#c-body").fill("Hello Mei, which bank did you pay from?")
    agent.locator("#c-body").press("Enter")
    expect(widget.locator("[data-chat-messages]")).to_contain_text("which bank did you pay from?")
    expect(agent.locator('li[data-sender="agent"] .chat-read')).to_have_text("Read")

    # The customer types (the agent sees it) and answers.
    composer = widget.locator("#chat-body")
    composer.press_sequentially("From ICBC", delay=30)
    expect(agent.locator("[data-chat-typing]")).to_have_text("Mei Lin is typing…")
    composer.press("Enter")
    expect(agent.locator("[data-chat-messages]")).to_contain_text("From ICBC")

    # A card number is held back by the warning; sent anyway, the agent sees it masked.
    composer.fill("My card is 4111 1111 1111 1111")
    composer.press("Enter")
    warning = widget.locator(".sensitive-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("a bank card number")
    warning.get_by_role("button", name="Send anyway").click()
    expect(agent.locator("[data-chat-messages]")).to_contain_text("My card is **** **** **** 1111")
    expect(agent.locator("[data-chat-messages]")).not_to_contain_text("4111 1111")

    # The customer ends the chat: the transcript is in a ticket she can open.
    widget.locator("[data-chat-end]").click()
    chat = ChatSession.objects.get(customer=customer)
    expect(widget.locator("[data-chat-result]")).to_have_text(
        re.compile(r"This chat has ended\. The conversation is saved in ticket T-\d{6}\.")
    )
    chat.refresh_from_db()
    assert chat.status == "ended" and chat.ticket is not None
    expect(widget.locator("[data-chat-ticket]")).to_have_attribute(
        "href", f"/support/tickets/{chat.ticket.number}/"
    )
    expect(agent.locator(".chat-room-main")).to_contain_text(
        f"The transcript is in ticket {chat.ticket.number}."
    )

    agent_context.close()
    customer_context.close()


def test_the_agents_inbox_shows_a_new_chat_live(asgi_site: str, browser: Browser) -> None:
    from okpay.identity.tests.fixtures import make_user

    site = asgi_site
    customer = make_user("kai@example.com", password=PASSWORD, display_name="Kai Zhou")
    make_user("agent@okpay.example", password=PASSWORD, display_name="Agent Wu", role="agent")

    # The agent has the one inbox open; nothing is waiting yet.
    agent_context = browser.new_context(locale="en-GB")
    agent = agent_context.new_page()
    _sign_in(agent, site, "agent@okpay.example")
    agent.goto(f"{site}/support/agent/")
    expect(agent.locator("[data-live-status]")).to_contain_text("Live:")
    expect(agent.locator('#inbox-rows tr[data-kind="chat"]')).to_have_count(0)

    # A customer starts a chat from the widget.
    customer_context = browser.new_context(locale="en-GB")
    page = customer_context.new_page()
    _sign_in(page, site, customer.email)
    page.goto(f"{site}/help/")
    page.locator("[data-chat-launcher]").click()
    widget = page.locator("[data-chat-widget]")
    widget.locator("#chat-topic").select_option("payment_failed")
    widget.locator("#chat-first").fill("My card payment failed")
    widget.locator("[data-chat-start] button[type=submit]").click()
    expect(widget.locator("[data-chat-status]")).to_have_text("You are next in the queue.")

    # Without a reload, the waiting chat is at the top of the inbox, with a notice.
    first = agent.locator("#inbox-rows tr").first
    expect(first).to_have_attribute("data-kind", "chat")
    expect(first).to_contain_text("kai@example.com")
    expect(first.locator(".state-badge")).to_contain_text("waiting")
    expect(agent.locator("[data-toasts]")).to_contain_text("waiting in the chat queue")

    # When the customer types, the inbox row says so.
    widget.locator("#chat-body").press_sequentially("Any news?", delay=40)
    expect(first.locator(".typing-hint")).to_be_visible()

    agent_context.close()
    customer_context.close()
