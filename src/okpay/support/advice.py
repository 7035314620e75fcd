"""What the checker tells a customer about each verdict, in the active language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from okpay.support.checker import CheckResult, Reason

ADVICE: dict[Reason, Promise] = {
    Reason.MATCH: _(
        "This is an official OKpay channel. Even so, never give anyone your password, "
        "2FA code or full card number."
    ),
    Reason.OFFICIAL_DOMAIN: _(
        "This address is on an official OKpay domain. Sign in only by typing okpay.example "
        "yourself, and never share your password, 2FA code or full card number."
    ),
    Reason.UNKNOWN_ADDRESS: _(
        "The domain is OKpay's, but this address is not one of our published contacts. "
        "Sender names and addresses can be forged: do not share codes or passwords, and "
        "contact us through a channel on the contact page."
    ),
    Reason.OTHER_DOMAIN: _(
        "Not OKpay: it borrows OKpay's name but belongs to someone else (another domain or "
        "platform). Do not reply, click or pay; forward scam e-mails to security@okpay.example."
    ),
    Reason.EXTRA_WORDS: _(
        "Not OKpay: it adds words to OKpay's name (like “okpay-support”), a common trick of "
        "look-alike sites. Do not reply, click or pay."
    ),
    Reason.HOMOGLYPH: _(
        "Not OKpay: it uses characters that only look like OKpay's (such as 0 for o, "
        "Cyrillic letters or “rn” for “m”). Do not reply, click or pay."
    ),
    Reason.TYPOSQUAT: _(
        "Not OKpay: it is spelt one or two letters away from OKpay. Do not reply, click or pay."
    ),
    Reason.SIMILAR_NUMBER: _(
        "Not OKpay: it is one or two digits away from an official number. Hang up and call us "
        "on a number from the contact page."
    ),
    Reason.UNRELATED: _(
        "Not on our list of official channels. If it claims to be OKpay, do not reply or share "
        "anything, and contact us through a channel on the contact page."
    ),
}


def check_advice(result: CheckResult) -> Promise:
    return ADVICE[result.reason]
