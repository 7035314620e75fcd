"""The wallet pages: access matrix, languages, forms, failures, CSV statement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from okpay.identity.tests.fixtures import make_user
from okpay.wallets.models import Payee, Quote, Transaction
from okpay.wallets.services import deposit_create
from okpay.wallets.tests.conftest import available, fund

pytestmark = pytest.mark.django_db

OWNER_PAGES = [
    "/wallet/",
    "/wallet/top-up/",
    "/wallet/withdraw/",
    "/wallet/send/",
    "/wallet/international/",
    "/wallet/convert/",
    "/wallet/payees/",
    "/wallet/transactions/",
    "/wallet/statement/",
]


def signed_in(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("path", OWNER_PAGES)
def test_every_page_answers_the_owner_in_both_languages(
    alice: Any, path: str, language: str
) -> None:
    fund(alice, "CNY", 100_000)

    response = signed_in(alice, language).get(path)

    assert response.status_code == 200
    lang = "zh-Hans" if language == "zh-hans" else "en"
    assert f'<html lang="{lang}">' in response.content.decode()


@pytest.mark.parametrize("path", [*OWNER_PAGES, "/wallet/transactions/OK0000000000AA/"])
def test_anonymous_visitors_are_sent_to_sign_in(path: str) -> None:
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/?next=")


def test_dashboard_shows_balances_formatted_for_the_language_and_pending_apart(
    alice: Any,
) -> None:
    fund(alice, "USD", 123_456)
    deposit_create(user=alice, amount_minor=5_000, currency="USD", funding_source="bank_transfer")

    en = signed_in(alice, "en").get("/wallet/?display=USD").content.decode()
    zh = signed_in(alice, "zh-hans").get("/wallet/?display=USD").content.decode()

    assert "$1,234.56" in en
    assert "US$1,234.56" in zh
    assert "Arriving: $50.00" in en
    assert "<polyline" in en


def test_a_transaction_of_another_customer_is_404(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    reference = Transaction.objects.get(user=alice).reference

    for path in (
        f"/wallet/transactions/{reference}/",
        f"/wallet/transactions/{reference}/receipt/",
    ):
        assert signed_in(bob).get(path).status_code == 404
        assert signed_in(alice).get(path).status_code == 200


def test_another_customers_quote_and_payee_are_404(alice: Any, bob: Any) -> None:
    fund(alice, "USD", 10_000)
    owner = signed_in(alice)
    owner.post("/wallet/convert/", {"currency": "USD", "amount": "10.00", "to_currency": "EUR"})
    quote = Quote.objects.get(user=alice)
    payee = Payee.objects.create(
        user=alice,
        kind="own_bank_account",
        name="Alice Zhang",
        bank_country="DE",
        currency="EUR",
        iban="DE89370400440532013000",
        created_at=timezone.now(),
    )

    assert signed_in(bob).get(f"/wallet/quotes/{quote.pk}/").status_code == 404
    assert signed_in(bob).post(f"/wallet/payees/{payee.pk}/remove/").status_code == 404
    assert Payee.objects.get(pk=payee.pk).removed_at is None


def test_forms_refuse_a_post_without_csrf_token(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(
        "/wallet/top-up/", {"funding_source": "card", "currency": "USD", "amount": "10"}
    )

    assert response.status_code == 403
    assert Transaction.objects.count() == 0


def test_card_top_up_lands_on_the_completed_transaction(alice: Any) -> None:
    response = signed_in(alice).post(
        "/wallet/top-up/", {"funding_source": "card", "currency": "USD", "amount": "100.00"}
    )

    txn = Transaction.objects.get(user=alice)
    assert response.status_code == 302
    assert response["Location"] == f"/wallet/transactions/{txn.reference}/"
    assert (txn.status, txn.amount_minor) == ("completed", 10_000)


def test_a_bad_amount_is_shown_beside_the_field_and_nothing_happens(alice: Any) -> None:
    response = signed_in(alice).post(
        "/wallet/top-up/", {"funding_source": "card", "currency": "USD", "amount": "12.345"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_amount_error1"' in page
    assert Transaction.objects.count() == 0


def test_bank_top_up_page_explains_the_recharge_delay(alice: Any) -> None:
    page = signed_in(alice).get("/wallet/top-up/").content.decode()

    assert "A bank transfer arrives after about 2 minutes" in page


def test_unverified_email_is_explained_with_a_resend_link(db: None) -> None:
    carol = make_user("carol@example.com", verified=False)

    page = signed_in(carol).get("/wallet/send/").content.decode()

    assert 'data-testid="email-unverified"' in page
    assert "/account/verify/resend/" in page
    assert 'name="recipient"' not in page


def test_a_failed_payment_shows_its_reason_next_steps_and_help_link(alice: Any) -> None:
    txn = deposit_create(user=alice, amount_minor=10_051, currency="USD", funding_source="card")

    en = signed_in(alice, "en").get(f"/wallet/transactions/{txn.reference}/").content.decode()
    zh = signed_in(alice, "zh-hans").get(f"/wallet/transactions/{txn.reference}/").content.decode()

    assert txn.status == "failed"
    assert 'data-testid="failure"' in en
    assert "card_declined" in en
    assert "Contact support with the reference" in en
    assert f"/support/tickets/new/?transaction={txn.reference}" in en
    assert "What to do next" not in zh
    assert 'data-testid="next-steps"' in zh


def test_conversion_goes_through_the_quote_page(alice: Any) -> None:
    fund(alice, "USD", 10_000)
    client = signed_in(alice)

    response = client.post(
        "/wallet/convert/", {"currency": "USD", "amount": "10.00", "to_currency": "EUR"}
    )
    quote = Quote.objects.get(user=alice)
    page = client.get(response["Location"]).content.decode()
    done = client.post(f"/wallet/quotes/{quote.pk}/")

    assert response["Location"] == f"/wallet/quotes/{quote.pk}/"
    assert 'data-testid="countdown"' in page
    txn = Transaction.objects.get(user=alice, type="conversion")
    assert done["Location"] == f"/wallet/transactions/{txn.reference}/"
    assert available(alice, "USD") == 10_000 - quote.total_debit_minor
    assert available(alice, "EUR") == quote.receive_amount_minor


def test_an_expired_quote_says_so_and_offers_a_new_one(alice: Any) -> None:
    fund(alice, "USD", 10_000)
    client = signed_in(alice)
    client.post("/wallet/convert/", {"currency": "USD", "amount": "10.00", "to_currency": "EUR"})
    quote = Quote.objects.get(user=alice)
    Quote.objects.filter(pk=quote.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    page = client.post(f"/wallet/quotes/{quote.pk}/").content.decode()
    renewed = client.post(f"/wallet/quotes/{quote.pk}/renew/")

    assert 'data-testid="quote-expired"' in page
    assert Transaction.objects.filter(type="conversion").count() == 0
    fresh = Quote.objects.exclude(pk=quote.pk).get(user=alice)
    assert renewed["Location"] == f"/wallet/quotes/{fresh.pk}/"


def test_adding_a_payee_needs_step_up_first(alice: Any) -> None:
    response = signed_in(alice).get("/wallet/payees/add/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/confirm/?next=%2Fwallet%2Fpayees%2Fadd%2F")


def test_history_filters_by_type_and_searches_by_reference(alice: Any) -> None:
    fund(alice, "USD", 10_000)
    card = deposit_create(user=alice, amount_minor=10_051, currency="USD", funding_source="card")
    client = signed_in(alice)

    failed = client.get("/wallet/transactions/?status=failed").content.decode()
    searched = client.get(f"/wallet/transactions/?search={card.reference[-6:]}").content.decode()
    bad = client.get("/wallet/transactions/?date_from=yesterday")

    assert card.reference in failed
    assert failed.count("/wallet/transactions/OK") == 1
    assert card.reference in searched
    assert bad.status_code == 200


def test_statement_csv_is_exact(alice: Any, bob: Any) -> None:
    at = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    fund(alice, "USD", 12_345, now=at)
    reference = Transaction.objects.get(user=alice).reference

    response = signed_in(alice).get("/wallet/statement/?date_from=2026-03-01&date_to=2026-03-31")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="okpay-statement-20260301-20260331.csv"'
    )
    assert response.content.decode("utf-8") == (
        "\ufeffdate,reference,type,status,amount,currency,fee,fee_currency,"
        "received_amount,received_currency,counterparty,failure_code\r\n"
        f"2026-03-05T10:00:00+08:00,{reference},deposit,completed,123.45,USD,0.00,USD,"
        "123.45,USD,,\r\n"
    )


def test_statement_range_errors_are_shown_beside_the_field(alice: Any) -> None:
    response = signed_in(alice).get("/wallet/statement/?date_from=2026-03-31&date_to=2026-03-01")

    assert response.status_code == 200
    assert 'id="id_date_to_error1"' in response.content.decode()


def test_public_fee_calculator_shows_the_breakdown_without_sign_in() -> None:
    response = Client().get(
        "/fees/",
        {
            "transaction_type": "deposit",
            "funding_source": "card",
            "currency": "USD",
            "receive_currency": "USD",
            "amount": "100",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="estimate"' in page
    assert "$1.50" in page
    assert "$98.50" in page
    assert 'data-testid="fee-schedule"' in page


def test_fee_calculator_bad_amount_is_beside_the_field() -> None:
    response = Client().get(
        "/fees/",
        {
            "transaction_type": "p2p_send",
            "currency": "JPY",
            "receive_currency": "JPY",
            "amount": "1.5",
        },
    )

    assert response.status_code == 200
    assert 'id="id_amount_error1"' in response.content.decode()
