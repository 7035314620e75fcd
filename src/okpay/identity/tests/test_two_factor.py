"""TOTP enrolment, drift, replay, recovery codes, disabling, and how secrets are stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine

from okpay.identity.client import NO_CLIENT
from okpay.identity.crypto import SealError, seal, unseal
from okpay.identity.errors import (
    PasswordIncorrect,
    StepUpRequired,
    TotpAlreadyEnabled,
    TotpInvalid,
    TotpReplayed,
)
from okpay.identity.models import AuditEvent, RecoveryCode, TotpDevice, User
from okpay.identity.services import (
    recovery_codes_regenerate,
    second_factor_verify,
    step_up_verify,
    totp_disable,
    totp_enroll_begin,
    totp_enroll_confirm,
)
from okpay.identity.tests.fixtures import (
    PASSWORD,
    Outbox,
    browser,
    code_at_offset,
    enable_totp,
    kinds,
    sign_in,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
HOLDER = "session:test"


def test_enrolment_page_shows_a_qr_code_and_the_manual_key(alice: User) -> None:
    client = browser()
    sign_in(client)

    page = client.get("/account/two-factor/enable/").content.decode()

    device = TotpDevice.objects.get(user=alice)
    secret = unseal(device.secret, purpose="totp-secret")
    assert "<svg" in page
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in page
    assert device.confirmed_at is None
    # reloading the page shows the same key until it is confirmed
    assert client.get("/account/two-factor/enable/").content.decode().count(secret[:4]) >= 1
    assert TotpDevice.objects.get(user=alice).secret == device.secret


def test_the_secret_is_stored_sealed(alice: User) -> None:
    enrolment = totp_enroll_begin(user=alice)

    stored = TotpDevice.objects.get(user=alice).secret

    assert enrolment.secret not in stored
    assert stored.startswith("v1$")
    assert unseal(stored, purpose="totp-secret") == enrolment.secret


def test_a_tampered_sealed_value_does_not_open() -> None:
    sealed = seal("JBSWY3DPEHPK3PXP", purpose="totp-secret")
    body = bytearray(sealed.encode())
    body[10] = ord("A") if body[10] != ord("A") else ord("B")

    with pytest.raises(SealError):
        unseal(body.decode(), purpose="totp-secret")
    with pytest.raises(SealError):
        unseal(sealed, purpose="another-purpose")


def test_a_value_sealed_under_a_fallback_key_still_opens(settings: object) -> None:
    sealed = seal("JBSWY3DPEHPK3PXP", purpose="totp-secret")
    old_key = settings.SECRET_KEY  # type: ignore[attr-defined]
    settings.SECRET_KEY = "a-brand-new-secret-key-of-enough-length-0123456789"  # type: ignore[attr-defined]
    settings.SECRET_KEY_FALLBACKS = [old_key]  # type: ignore[attr-defined]

    assert unseal(sealed, purpose="totp-secret") == "JBSWY3DPEHPK3PXP"


def test_confirming_turns_2fa_on_and_returns_ten_recovery_codes(
    alice: User, outbox: Outbox
) -> None:
    enrolment = totp_enroll_begin(user=alice)

    with outbox.capture():
        codes = totp_enroll_confirm(
            user=alice, code=pyotp.TOTP(enrolment.secret).now(), client=NO_CLIENT
        )

    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(len(c) == 11 and c[5] == "-" for c in codes)
    stored = set(RecoveryCode.objects.filter(user=alice).values_list("digest", flat=True))
    assert len(stored) == 10
    assert not any(code.replace("-", "") in digest for code in codes for digest in stored)
    assert TotpDevice.objects.get(user=alice).confirmed_at is not None
    assert kinds(alice) == ["totp_enabled"]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["identity.totp_enabled"]
    assert outbox.subjects() == ["Two-factor authentication is on"]
    with pytest.raises(TotpAlreadyEnabled):
        totp_enroll_begin(user=alice)


def test_confirming_with_a_wrong_code_keeps_2fa_off(alice: User) -> None:
    totp_enroll_begin(user=alice)

    with pytest.raises(TotpInvalid):
        totp_enroll_confirm(user=alice, code="123456", client=NO_CLIENT)

    assert TotpDevice.objects.get(user=alice).confirmed_at is None
    assert RecoveryCode.objects.count() == 0


def test_codes_one_step_early_or_late_are_accepted_two_are_not(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        clock.shift(timedelta(minutes=5))
        with pytest.raises(TotpInvalid):
            second_factor_verify(user=alice, code=code_at_offset(totp, -2), client=NO_CLIENT)
        with pytest.raises(TotpInvalid):
            second_factor_verify(user=alice, code=code_at_offset(totp, 2), client=NO_CLIENT)
        assert second_factor_verify(
            user=alice, code=code_at_offset(totp, -1), client=NO_CLIENT
        ) == ("totp")
        assert second_factor_verify(user=alice, code=code_at_offset(totp, 1), client=NO_CLIENT) == (
            "totp"
        )


def test_a_code_is_accepted_once_and_the_replay_is_logged(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        clock.shift(timedelta(seconds=30))
        code = totp.now()
        second_factor_verify(user=alice, code=code, client=NO_CLIENT)
        with pytest.raises(TotpReplayed) as caught:
            second_factor_verify(user=alice, code=code, client=NO_CLIENT)

    assert caught.value.code == "totp_replayed"
    assert kinds(alice)[-1] == "totp_replayed"


def test_a_code_older_than_the_last_used_one_is_refused(alice: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        clock.shift(timedelta(minutes=2))
        second_factor_verify(user=alice, code=code_at_offset(totp, 1), client=NO_CLIENT)
        with pytest.raises(TotpReplayed):
            second_factor_verify(user=alice, code=code_at_offset(totp, 0), client=NO_CLIENT)


def test_each_recovery_code_works_once(alice: User) -> None:
    totp = enable_totp(alice)
    code = totp.recovery_codes[3]  # type: ignore[attr-defined]

    assert second_factor_verify(user=alice, code=f" {code.upper()} ", client=NO_CLIENT) == (
        "recovery_code"
    )
    with pytest.raises(TotpInvalid):
        second_factor_verify(user=alice, code=code, client=NO_CLIENT)

    assert RecoveryCode.objects.filter(user=alice, used_at__isnull=True).count() == 9


def test_regenerating_codes_needs_step_up_and_retires_the_old_ones(
    alice: User, outbox: Outbox
) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        old = totp.recovery_codes  # type: ignore[attr-defined]
        with pytest.raises(StepUpRequired) as caught:
            recovery_codes_regenerate(user=alice, holder=HOLDER, client=NO_CLIENT)
        clock.shift(timedelta(seconds=30))
        step_up_verify(user=alice, holder=HOLDER, client=NO_CLIENT, code=totp.now())
        with outbox.capture():
            new = recovery_codes_regenerate(user=alice, holder=HOLDER, client=NO_CLIENT)

    assert caught.value.details == {"action": "regenerate_recovery_codes", "method": "totp"}
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    with pytest.raises(TotpInvalid):
        second_factor_verify(user=alice, code=old[0], client=NO_CLIENT)
    assert second_factor_verify(user=alice, code=new[0], client=NO_CLIENT) == "recovery_code"
    assert outbox.subjects() == ["New recovery codes for your OKpay account"]


def test_disabling_needs_the_password_and_a_code(alice: User, outbox: Outbox) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        totp = enable_totp(alice)
        clock.shift(timedelta(seconds=30))
        with pytest.raises(PasswordIncorrect):
            totp_disable(user=alice, password="Wrong-password-1", code=totp.now(), client=NO_CLIENT)
        with pytest.raises(TotpInvalid):
            totp_disable(user=alice, password=PASSWORD, code="000000", client=NO_CLIENT)
        assert TotpDevice.objects.filter(user=alice).exists()
        with outbox.capture():
            totp_disable(user=alice, password=PASSWORD, code=totp.now(), client=NO_CLIENT)

    assert not TotpDevice.objects.filter(user=alice).exists()
    assert RecoveryCode.objects.filter(user=alice).count() == 0
    assert kinds(alice)[-1] == "totp_disabled"
    assert outbox.subjects() == ["Two-factor authentication was turned off"]


def test_enable_through_the_pages_shows_the_codes_once(alice: User) -> None:
    client = browser()
    with time_machine.travel(T0, tick=False):
        sign_in(client)
        client.get("/account/two-factor/enable/")
        secret = unseal(TotpDevice.objects.get(user=alice).secret, purpose="totp-secret")
        response = client.post("/account/two-factor/enable/", {"code": pyotp.TOTP(secret).now()})
        after = client.get("/account/two-factor/")

    html = response.content.decode()
    assert html.count("<li>") >= 10
    assert 'data-testid="recovery-codes"' in html
    assert 'data-testid="recovery-codes"' not in after.content.decode()
    assert secret not in after.content.decode()
    assert client.get("/account/two-factor/enable/").status_code == 302
