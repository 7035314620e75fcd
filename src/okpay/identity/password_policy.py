"""The password policy: the one authority on which new passwords are accepted.

A password is accepted when it is 12 to 128 characters long, has at least one letter and
one digit, is not in the common-password list, is not too similar to the e-mail address or
the display name, and zxcvbn scores it 3 or more. ``password_check`` lists every rule a
password breaks (so the form can show all reasons at once) and the zxcvbn score for the
strength meter. ``PolicyValidator`` applies the same policy to Django's own password forms
(the back office).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
MIN_SCORE = 3
MAX_SIMILARITY = 0.7

REASON_MESSAGES: dict[str, Promise] = {
    "too_short": _("Use at least 12 characters."),
    "too_long": _("Use at most 128 characters."),
    "needs_letter": _("Include at least one letter."),
    "needs_digit": _("Include at least one digit."),
    "too_common": _("This password is too common: it is on lists attackers try first."),
    "too_similar": _("Too similar to your e-mail address or name: choose something unrelated."),
    "too_guessable": _(
        "Too easy to guess: add more words or characters that do not follow a pattern."
    ),
}


@dataclass(frozen=True)
class PasswordReason:
    code: str
    message: str


@dataclass(frozen=True)
class PasswordCheck:
    """``score`` is zxcvbn's 0–4 (0 when the length rules already fail)."""

    score: int
    reasons: tuple[PasswordReason, ...]

    @property
    def ok(self) -> bool:
        return not self.reasons

    def reasons_as_dicts(self) -> list[dict[str, Any]]:
        return [{"code": r.code, "message": r.message} for r in self.reasons]


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(CommonPasswordValidator().passwords)


def _personal_parts(*, email: str, display_name: str) -> list[str]:
    parts: list[str] = []
    for value in (email, display_name):
        value = (value or "").strip().lower()
        if not value:
            continue
        parts.append(value)
        parts.extend(p for p in re.split(r"\W+", value) if len(p) >= 3)
    return parts


def _too_similar(password: str, parts: list[str]) -> bool:
    lowered = password.lower()
    for part in parts:
        if len(part) >= 4 and part in lowered and len(part) * 2 >= len(lowered):
            return True
        if SequenceMatcher(a=lowered, b=part).quick_ratio() >= MAX_SIMILARITY and (
            SequenceMatcher(a=lowered, b=part).ratio() >= MAX_SIMILARITY
        ):
            return True
    return False


def password_check(*, password: str, email: str = "", display_name: str = "") -> PasswordCheck:
    """Every rule ``password`` breaks, in a fixed order, and its zxcvbn score."""
    codes: list[str] = []
    length = len(password)
    if length < MIN_LENGTH:
        codes.append("too_short")
    if length > MAX_LENGTH:
        codes.append("too_long")
    if not any(ch.isalpha() for ch in password):
        codes.append("needs_letter")
    if not any(ch.isdecimal() for ch in password):
        codes.append("needs_digit")
    score = 0
    if length <= MAX_LENGTH and password:
        if password.lower().strip() in _common_passwords():
            codes.append("too_common")
        parts = _personal_parts(email=email, display_name=display_name)
        if _too_similar(password, parts):
            codes.append("too_similar")
        # zxcvbn refuses inputs over 72 characters; a prefix never scores higher.
        score = int(zxcvbn(password[:72], user_inputs=parts)["score"])
        if score < MIN_SCORE and "too_common" not in codes:
            codes.append("too_guessable")
    reasons = tuple(PasswordReason(code=c, message=str(REASON_MESSAGES[c])) for c in codes)
    return PasswordCheck(score=score if not reasons else min(score, MIN_SCORE - 1), reasons=reasons)


class PolicyValidator:
    """``AUTH_PASSWORD_VALIDATORS`` entry: the OKpay policy in Django's password forms."""

    def validate(self, password: str, user: Any = None) -> None:
        check = password_check(
            password=password,
            email=getattr(user, "email", "") or "",
            display_name=getattr(user, "display_name", "") or "",
        )
        if not check.ok:
            raise ValidationError([ValidationError(r.message, code=r.code) for r in check.reasons])

    def get_help_text(self) -> str:
        return str(
            _(
                "12 to 128 characters with letters and digits, not a common password, not "
                "like your e-mail or name, and hard to guess."
            )
        )
