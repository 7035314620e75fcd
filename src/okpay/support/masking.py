"""The sensitive-data guard: find and mask secrets that customers type into support messages.

Masked before a chat line, ticket message or e-mail is stored for agents:

* **Payment card numbers** — 13 to 19 digits, optionally grouped with single spaces or
  dashes, starting with a card-network prefix (2221–2720, 3, 4, 5, 6, 81) and passing the
  Luhn check. Every digit but the last four becomes ``*``; the grouping is kept
  (``**** **** **** 1234``).
* **Chinese resident ID numbers** — 18 characters: a known province code, a real birth
  date (not in the future), a sequence number and the ISO 7064 MOD 11-2 check character
  (``0``–``9`` or ``X``). Only the last four stay visible.
* **IBANs** — validated with schwifty (country, length, check digits), printed compact or
  in groups. The country code and the last four characters stay visible.
* **Codes and passwords typed after a trigger word** (密码, 验证码, password, OTP, PIN …):
  the token after the word — with an optional ``:``/``：``/``=``/``是``/``is`` between —
  becomes ``******`` (its length is not kept). Only printable ASCII tokens count, so
  "密码忘了" is left alone; after an English trigger without ``:`` or ``=`` the token must
  look like a code (a digit, a symbol or mixed case), so "my password is wrong" is too.

Numbers that are none of these — order numbers, phone numbers, OKpay references such as
``OK2611290001AB``, amounts, dates, 16-digit numbers failing the Luhn check — are kept.
Masking is idempotent: a masked text contains nothing left to mask.

The module is pure Python (no models, no user-facing strings). The same rules run in the
browser in ``static/support/sensitive-warning.js`` to warn before sending.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from schwifty import IBAN

__all__ = [
    "Finding",
    "MaskResult",
    "SensitiveKind",
    "cn_id_valid",
    "find_sensitive",
    "luhn_valid",
    "mask_sensitive",
]

MASK = "*"
SECRET_MASK = "******"  # noqa: S105 - the mask, not a password

# Full-width digits and X (typed with a Chinese input method) count as their ASCII
# counterparts; a span in the original text keeps the characters as typed.
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_DIGIT = "[0-9０-９]"
_ALNUM = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ"

# Card numbers: runs of digit groups joined by one space or dash; a run never starts right
# after a letter, digit or "+" (phone numbers) and never ends inside a word.
_CARD_RUN = re.compile(
    rf"(?<![{_ALNUM}+]){_DIGIT}+(?:[ \-]{_DIGIT}+)*(?![{_ALNUM}])",
)
_CARD_MIN, _CARD_MAX = 13, 19
# The digits of an IBAN-shaped value ("DE89 3704 0044 …") are not a card number, even when
# the IBAN itself is not valid.
_AFTER_IBAN_START = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{2}[0-9]{2}(?:[ \-][0-9A-Za-z]+)*[ \-]$")
_LOOK_BACK = 48

_CN_ID = re.compile(rf"(?<![{_ALNUM}])[1-9１-９]{_DIGIT}{{16}}[0-9Xx０-９Ｘｘ](?![{_ALNUM}])")
_CN_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_ID_CHECK = "10X98765432"
_CN_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)

# IBANs: two letters, two check digits, then letters and digits, compact or in groups.
_IBAN_RUN = re.compile(
    r"(?<![0-9A-Za-z])[A-Za-z]{2}[0-9]{2}[0-9A-Za-z]*(?: [0-9A-Za-z]+)*(?![0-9A-Za-z])"
)
_IBAN_START = re.compile(r"[A-Za-z]{2}[0-9]{2}")
_IBAN_MIN, _IBAN_MAX = 15, 34

# Trigger words. Chinese words may be followed directly by the token; English ones are
# whole words.
_ZH_TRIGGER = r"(?:支付密码|密码|口令|验证码|校验码|动态码|短信码)"
_EN_TRIGGER = (
    r"(?<![0-9A-Za-z])(?:"
    r"(?:verification|security|auth(?:entication)?|sms|2fa|otp|pin|one[ -]time)[ -]?code"
    r"|pin[ -]?(?:number|no\.?)"
    r"|pass(?:word|code|wd)|pwd|otp|2fa|pin|cvv2?|cvc2?"
    r")(?![A-Za-z])"
)
_SECRET = re.compile(
    rf"(?P<trigger>{_ZH_TRIGGER}|{_EN_TRIGGER})"
    r"(?P<sep>[ \t]*(?:(?:(?:is|was)(?![A-Za-z])|是|为)[ \t]*)?(?P<explicit>[:：=][ \t]*)?)"
    r"(?P<token>[!-~]+)",
    re.IGNORECASE,
)
_SECRET_MIN_LENGTH = 3
_TRAILING_PUNCTUATION = ".,;"


class SensitiveKind(StrEnum):
    CARD = "card"
    CN_ID = "cn_id"
    IBAN = "iban"
    SECRET = "secret"  # noqa: S105 - a kind label


@dataclass(frozen=True)
class Finding:
    """One sensitive value: its kind and its ``span`` (start, end) in the original text."""

    kind: SensitiveKind
    span: tuple[int, int]

    @property
    def start(self) -> int:
        return self.span[0]

    @property
    def end(self) -> int:
        return self.span[1]


@dataclass(frozen=True)
class MaskResult:
    """The masked text and what was masked (spans refer to the original text)."""

    text: str
    findings: tuple[Finding, ...]

    @property
    def masked(self) -> bool:
        return bool(self.findings)


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of a string of ASCII digits."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _card_prefix_known(digits: str) -> bool:
    """Card networks' number ranges: Mastercard 2221–2720, Amex/JCB/Diners 3, Visa 4,
    Mastercard/Maestro 5, UnionPay/Discover/Maestro 6, UnionPay 81."""
    if digits[0] in "3456":
        return True
    if digits[0] == "2":
        return 2221 <= int(digits[:4]) <= 2720
    return digits.startswith("81")


def _today_somewhere() -> date:
    """The latest calendar date anywhere on Earth (UTC+14): a birth date after it is
    impossible wherever the customer writes from."""
    return (datetime.now(UTC) + timedelta(hours=14)).date()


def cn_id_valid(value: str, *, today: date | None = None) -> bool:
    """An 18-character Chinese resident ID: province, birth date and MOD 11-2 check."""
    value = value.translate(_FULLWIDTH).upper()
    if len(value) != 18 or not value[:17].isdigit() or not value[:17].isascii():
        return False
    if int(value[:2]) not in _CN_PROVINCES:
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > (today or _today_somewhere()):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _CN_ID_WEIGHTS, strict=True))
    return _CN_ID_CHECK[total % 11] == value[17]


def _iban_valid(compact: str) -> bool:
    if not _IBAN_MIN <= len(compact) <= _IBAN_MAX:
        return False
    try:
        IBAN(compact.upper())
    except ValueError:
        return False
    return True


def _groups(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The (start, end) of each space- or dash-separated group in ``text[start:end]``."""
    return [
        (start + match.start(), start + match.end())
        for match in re.finditer(r"[^ \-]+", text[start:end])
    ]


def _find_grouped(
    text: str,
    runs: re.Pattern[str],
    *,
    check: Callable[[str], bool],
    max_length: int,
    first_group: re.Pattern[str] | None = None,
) -> list[tuple[int, int]]:
    """Spans of whole groups inside each run that ``check`` accepts, longest first, left
    to right. A span never splits a group and is at most ``max_length`` characters long;
    it starts only at a group matching ``first_group`` (when given)."""
    spans: list[tuple[int, int]] = []
    for run in runs.finditer(text):
        groups = _groups(text, run.start(), run.end())
        i = 0
        while i < len(groups):
            found = 0
            if first_group is None or first_group.match(text, groups[i][0], groups[i][1]):
                last = i
                while last + 1 < len(groups) and groups[last + 1][1] - groups[i][0] <= max_length:
                    last += 1
                for j in range(last, i - 1, -1):
                    start, end = groups[i][0], groups[j][1]
                    if end - start <= max_length and check(text[start:end]):
                        spans.append((start, end))
                        found = j + 1
                        break
            i = found or i + 1
    return spans


def _is_card(candidate: str) -> bool:
    digits = re.sub(r"[ \-]", "", candidate).translate(_FULLWIDTH)
    return (
        _CARD_MIN <= len(digits) <= _CARD_MAX and luhn_valid(digits) and _card_prefix_known(digits)
    )


def _inside_iban_shape(text: str, start: int) -> bool:
    return _AFTER_IBAN_START.search(text, max(0, start - _LOOK_BACK), start) is not None


def _is_iban(candidate: str) -> bool:
    return _iban_valid(candidate.replace(" ", ""))


def _looks_like_code(token: str) -> bool:
    """After an English trigger without ``:``/``=``: a digit, a symbol or mixed case."""
    if any(c.isdigit() for c in token) or not token.isalnum():
        return True
    return not (token.islower() or token.isupper() or token.istitle())


def _secret_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _SECRET.finditer(text):
        token = match.group("token").rstrip(_TRAILING_PUNCTUATION)
        if len(token) < _SECRET_MIN_LENGTH or set(token) <= {MASK}:
            continue
        trigger = match.group("trigger")
        english = trigger.isascii()
        if english and not match.group("explicit") and not _looks_like_code(token):
            continue
        start = match.start("token")
        spans.append((start, start + len(token)))
    return spans


def find_sensitive(text: str) -> list[Finding]:
    """Every sensitive value in ``text``, in order. Overlaps are resolved by kind: an ID
    number before a card number before an IBAN before a typed code."""
    candidates: list[Finding] = []
    for match in _CN_ID.finditer(text):
        if cn_id_valid(match.group()):
            candidates.append(Finding(SensitiveKind.CN_ID, match.span()))
    for span in _find_grouped(text, _CARD_RUN, check=_is_card, max_length=_CARD_MAX * 2):
        if not _inside_iban_shape(text, span[0]):
            candidates.append(Finding(SensitiveKind.CARD, span))
    for span in _find_grouped(
        text, _IBAN_RUN, check=_is_iban, max_length=_IBAN_MAX * 2, first_group=_IBAN_START
    ):
        candidates.append(Finding(SensitiveKind.IBAN, span))
    for span in _secret_spans(text):
        candidates.append(Finding(SensitiveKind.SECRET, span))

    kept: list[Finding] = []
    for finding in candidates:  # already in priority order
        if not any(finding.start < k.end and k.start < finding.end for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def _mask_keep_last(value: str, *, keep_last: int, keep_first: int = 0) -> str:
    """Replace letters and digits with ``*`` except the first/last ones; keep separators."""
    positions = [i for i, c in enumerate(value) if c.isalnum()]
    visible = set(positions[:keep_first]) | set(positions[len(positions) - keep_last :])
    return "".join(c if (i in visible or not c.isalnum()) else MASK for i, c in enumerate(value))


def _masked(kind: SensitiveKind, value: str) -> str:
    if kind == SensitiveKind.SECRET:
        return SECRET_MASK
    if kind == SensitiveKind.IBAN:
        return _mask_keep_last(value, keep_first=2, keep_last=4)
    return _mask_keep_last(value, keep_last=4)


def mask_sensitive(text: str) -> MaskResult:
    """``text`` with every sensitive value masked, and the findings."""
    findings = find_sensitive(text)
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(_masked(finding.kind, text[finding.start : finding.end]))
        position = finding.end
    parts.append(text[position:])
    return MaskResult(text="".join(parts), findings=tuple(findings))
