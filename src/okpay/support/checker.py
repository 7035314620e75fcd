""" "Is this really OKpay?": judge an e-mail address, phone number, web address or handle.

The only official things are the active rows of ``OfficialChannel`` (and, for web
addresses and e-mail, hosts on an official domain). Everything else is not official; the
checker also says *why* something merely looks like OKpay, because that is what a phishing
message relies on:

- ``other_domain``: the brand appears inside someone else's domain
  (``okpay.example.evil.com``, ``okpay.example.co``, ``okpay.com``);
- ``extra_words``: the brand with words around it (``okpay-support``, ``okpayhelp``);
- ``homoglyph``: characters that look like the brand's (``0kpay``, Cyrillic ``у``,
  ``rn`` for ``m``, punycode ``xn--``);
- ``typosquat``: one or two letters away from the brand (``okpya``, ``okapy``);
- ``similar_number``: a phone number one or two digits away from an official one.

Pure functions over a list of ``ChannelRef``; ``check_value`` loads the channels.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers

DEFAULT_PHONE_REGION = "CN"


class InputKind(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    WEB = "web"
    HANDLE = "handle"


class Verdict(enum.StrEnum):
    OFFICIAL = "official"
    NOT_OFFICIAL = "not_official"


class Reason(enum.StrEnum):
    MATCH = "match"  # an exact official channel
    OFFICIAL_DOMAIN = "official_domain"  # a page or address on an official domain
    OTHER_DOMAIN = "other_domain"
    EXTRA_WORDS = "extra_words"
    HOMOGLYPH = "homoglyph"
    TYPOSQUAT = "typosquat"
    SIMILAR_NUMBER = "similar_number"
    UNKNOWN_ADDRESS = "unknown_address"  # our domain, but not a published address
    UNRELATED = "unrelated"


@dataclass(frozen=True)
class ChannelRef:
    id: int
    kind: str  # ChannelKind value
    platform: str
    value: str


@dataclass(frozen=True)
class CheckResult:
    input: str
    kind: InputKind
    normalized: str
    verdict: Verdict
    reason: Reason
    lookalike: bool
    channel_id: int | None = None

    @property
    def official(self) -> bool:
        return self.verdict == Verdict.OFFICIAL


# --- Confusables -----------------------------------------------------------------------------
# Characters that render like Latin letters (Cyrillic, Greek, digits, symbols) and
# multi-letter look-alikes. A skeleton maps both the brand and the input to one spelling.
CONFUSABLE_CHARS = {
    "0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a",
    "$": "s", "|": "l", "!": "l", "і": "i", "ı": "i",
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ј": "j", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ү": "y", "һ": "h", "ɑ": "a", "ο": "o", "α": "a", "κ": "k",
    "ρ": "p", "υ": "y", "γ": "y", "ν": "v", "τ": "t", "ι": "i", "ε": "e", "χ": "x",
    "ɡ": "g", "ʏ": "y", "ｏ": "o",
}  # fmt: skip
CONFUSABLE_SEQUENCES = (("rn", "m"), ("vv", "w"), ("cl", "d"), ("nn", "m"))
_SEPARATORS = re.compile(r"[-_.\s]+")


def _fold(text: str) -> str:
    """Lower case, NFKC, accents removed (``ökpay`` → ``okpay``)."""
    text = unicodedata.normalize("NFKC", text).lower()
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def skeleton(text: str) -> str:
    folded = "".join(CONFUSABLE_CHARS.get(c, c) for c in _fold(text))
    # "l" and "i" are interchangeable at a glance (lI1|); so are the sequences above.
    folded = folded.replace("i", "l")
    for seq, repl in CONFUSABLE_SEQUENCES:
        folded = folded.replace(seq, repl)
    return folded


def edit_distance(a: str, b: str, *, limit: int = 3) -> int:
    """Damerau–Levenshtein (optimal string alignment); stops early past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _decode_label(label: str) -> str:
    if label.startswith("xn--"):
        try:
            return label.encode("ascii").decode("idna")
        except UnicodeError:
            return label
    return label


def brand_lookalike(text: str, brands: Sequence[str]) -> Reason | None:
    """How ``text`` (a domain label or handle) imitates a brand, or None if it does not.

    ``text`` that *is* the brand returns None: the caller decides whether that is official.
    """
    raw = _decode_label(text.lower())
    plain = _SEPARATORS.sub("", _fold(raw))
    skel = _SEPARATORS.sub("", skeleton(raw))
    for brand in brands:
        b_plain = _SEPARATORS.sub("", _fold(brand))
        b_skel = skeleton(brand)
        if plain == b_plain:
            if raw != raw.encode("ascii", "ignore").decode() or text.lower().startswith("xn--"):
                return Reason.HOMOGLYPH
            return None
        if skel == b_skel:
            return Reason.HOMOGLYPH
        if b_plain in plain:
            return Reason.EXTRA_WORDS
        if b_skel in skel:
            return Reason.HOMOGLYPH
        if edit_distance(plain, b_plain, limit=2) <= 2 or edit_distance(skel, b_skel) <= 2:
            return Reason.TYPOSQUAT
        # A typo inside extra words: "okpya-support", "0kpay-help".
        for part in re.split(r"[-_.\s]+", skeleton(raw)):
            if part and len(part) >= len(b_skel) - 1 and edit_distance(part, b_skel) <= 1:
                return Reason.TYPOSQUAT
    return None


# --- Input classification ----------------------------------------------------------------------
_EMAIL = re.compile(r"^[^@\s]+@([^@\s]+\.[^@\s]+)$")
_PHONE = re.compile(r"^[+(]?[\d\s().\-+/]{6,}$")
_HANDLE = re.compile(r"^@?[\w.\-]{2,64}$", re.UNICODE)


def classify(value: str) -> InputKind:
    v = value.strip()
    if v.lower().startswith("mailto:"):
        return InputKind.EMAIL
    if "://" in v:
        return InputKind.WEB
    if _EMAIL.match(v):
        return InputKind.EMAIL
    digits = sum(c.isdigit() for c in v)
    if v.lower().startswith("tel:") or (_PHONE.match(v) and digits >= 6):
        return InputKind.PHONE
    if "://" in v or "/" in v:
        return InputKind.WEB
    if v.startswith("@"):
        return InputKind.HANDLE
    if "." in v and not v.endswith(".") and re.search(r"\.[^\W\d_]{2,}$|\.xn--", v):
        return InputKind.WEB
    return InputKind.HANDLE


def phone_e164(value: str, region: str = DEFAULT_PHONE_REGION) -> str | None:
    v = value.strip()
    if v.lower().startswith("tel:"):
        v = v[4:]
    v = v.replace("(+", "+").replace("（", "(").replace("）", ")")
    try:
        parsed = phonenumbers.parse(v, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def host_of(value: str) -> str:
    v = value.strip()
    if "://" not in v:
        v = "//" + v
    host = (urlsplit(v).hostname or "").rstrip(".")
    try:
        return host.encode("idna").decode("ascii").lower() if host else ""
    except UnicodeError:
        return host.lower()


SOCIAL_HOSTS = {
    "x.com": "x",
    "twitter.com": "x",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "linkedin.com": "linkedin",
    "weibo.com": "weibo",
    "weibo.cn": "weibo",
    "instagram.com": "instagram",
    "youtube.com": "youtube",
}
# Multi-label public suffixes that matter for our users; others are treated as one label.
_TWO_LABEL_SUFFIXES = frozenset(
    {"com.cn", "net.cn", "org.cn", "gov.cn", "co.uk", "org.uk", "com.hk", "com.au", "co.jp"}
)


def registrable(host: str) -> str:
    labels = host.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in _TWO_LABEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _handle_norm(value: str) -> str:
    """NFKC and lower case only: accents and foreign letters must not match an official name."""
    return unicodedata.normalize("NFKC", value.strip().lstrip("@")).lower()


# --- The checker -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registry:
    channels: Sequence[ChannelRef]

    @property
    def domains(self) -> list[str]:
        out: list[str] = []
        for ch in self.channels:
            if ch.kind == "website":
                out.append(host_of(ch.value))
            elif ch.kind == "email" and "@" in ch.value:
                out.append(ch.value.rsplit("@", 1)[1].lower())
        return sorted({registrable(d) for d in out if d})

    @property
    def brands(self) -> list[str]:
        return sorted({d.split(".")[0] for d in self.domains}) or ["okpay"]


def check(value: str, channels: Sequence[ChannelRef]) -> CheckResult:
    registry = Registry(channels)
    kind = classify(value)
    if kind == InputKind.EMAIL:
        return _check_email(value, registry)
    if kind == InputKind.PHONE:
        return _check_phone(value, registry)
    if kind == InputKind.WEB:
        return _check_web(value, registry)
    return _check_handle(value, registry)


def _result(
    value: str, kind: InputKind, normalized: str, reason: Reason, **kw: object
) -> CheckResult:
    official = reason in (Reason.MATCH, Reason.OFFICIAL_DOMAIN)
    return CheckResult(
        input=value,
        kind=kind,
        normalized=normalized,
        verdict=Verdict.OFFICIAL if official else Verdict.NOT_OFFICIAL,
        reason=reason,
        lookalike=reason
        in (
            Reason.OTHER_DOMAIN,
            Reason.EXTRA_WORDS,
            Reason.HOMOGLYPH,
            Reason.TYPOSQUAT,
            Reason.SIMILAR_NUMBER,
        ),
        channel_id=kw.get("channel_id"),  # type: ignore[arg-type]
    )


def _domain_reason(host: str, registry: Registry) -> Reason:
    """Official domain, or how this host imitates one."""
    if not host:
        return Reason.UNRELATED
    for domain in registry.domains:
        if host == domain or host.endswith("." + domain):
            return Reason.OFFICIAL_DOMAIN
    labels = [_decode_label(label) for label in host.split(".")]
    decoded = ".".join(labels)
    if any(label.startswith("xn--") for label in host.split(".")):
        # Punycode: show the decoded form's imitation, or call it a homoglyph outright.
        for label in labels:
            if (
                brand_lookalike(label, registry.brands) is not None
                or _fold(label) in registry.brands
            ):
                return Reason.HOMOGLYPH
    for domain in registry.domains:
        if domain in decoded:  # okpay.example.evil.com, okpay.example.co
            return Reason.OTHER_DOMAIN
    reg_labels = registrable(host).split(".")
    own = reg_labels[0]
    worst: Reason | None = None
    for label in [*labels[: len(labels) - len(reg_labels)], own]:
        found = brand_lookalike(label, registry.brands)
        if found is None and _fold(label) in registry.brands:
            found = Reason.OTHER_DOMAIN  # okpay.com, okpay.evil.com
        worst = worst or found
    return worst or Reason.UNRELATED


def _check_email(value: str, registry: Registry) -> CheckResult:
    v = value.strip()
    if v.lower().startswith("mailto:"):
        v = v[7:]
    local, _, domain = v.rpartition("@")
    address = f"{local}@{host_of(domain)}".lower()
    for ch in registry.channels:
        if ch.kind == "email" and ch.value.strip().lower() == address:
            return _result(value, InputKind.EMAIL, address, Reason.MATCH, channel_id=ch.id)
    reason = _domain_reason(host_of(domain), registry)
    if reason == Reason.OFFICIAL_DOMAIN:
        reason = Reason.UNKNOWN_ADDRESS
    return _result(value, InputKind.EMAIL, address, reason)


def _check_phone(value: str, registry: Registry) -> CheckResult:
    number = phone_e164(value)
    if number is None:
        return _result(value, InputKind.PHONE, value.strip(), Reason.UNRELATED)
    closest = 99
    for ch in registry.channels:
        if ch.kind not in ("phone", "callback"):
            continue
        official = phone_e164(ch.value)
        if official is None:
            continue
        if official == number:
            return _result(value, InputKind.PHONE, number, Reason.MATCH, channel_id=ch.id)
        if len(official) == len(number):
            closest = min(closest, sum(a != b for a, b in zip(official, number, strict=True)))
        else:
            closest = min(closest, edit_distance(official, number, limit=2))
    reason = Reason.SIMILAR_NUMBER if closest <= 2 else Reason.UNRELATED
    return _result(value, InputKind.PHONE, number, reason)


def _check_web(value: str, registry: Registry) -> CheckResult:
    host = host_of(value)
    site = registrable(host)
    platform = SOCIAL_HOSTS.get(site)
    if platform:
        path = urlsplit(value if "://" in value else "//" + value).path
        parts = [p for p in path.split("/") if p and p not in ("company", "u", "n", "pages")]
        if parts:
            return _check_handle(parts[0], registry, platform=platform, original=value)
    # The website itself before the chat page hosted on it.
    by_kind = sorted(registry.channels, key=lambda ch: ch.kind != "website")
    for ch in by_kind:
        if ch.kind in ("website", "web_chat") and host_of(ch.value) == host:
            return _result(value, InputKind.WEB, host, Reason.MATCH, channel_id=ch.id)
    return _result(value, InputKind.WEB, host, _domain_reason(host, registry))


def _check_handle(
    value: str, registry: Registry, *, platform: str = "", original: str | None = None
) -> CheckResult:
    handle = _handle_norm(value)
    shown = original if original is not None else value
    for ch in registry.channels:
        if ch.kind != "social" or (platform and ch.platform != platform):
            continue
        if _handle_norm(ch.value) == handle:
            return _result(shown, InputKind.HANDLE, handle, Reason.MATCH, channel_id=ch.id)
    official_handles = [_handle_norm(ch.value) for ch in registry.channels if ch.kind == "social"]
    reason: Reason | None = None
    if handle in official_handles:
        reason = Reason.OTHER_DOMAIN  # the right name on another platform
    if reason is None:
        for official in official_handles:
            if skeleton(handle) == skeleton(official):
                reason = Reason.HOMOGLYPH
                break
            if edit_distance(handle, official, limit=2) <= 2:
                reason = Reason.TYPOSQUAT
                break
    if reason is None:
        reason = brand_lookalike(handle, registry.brands)
        if reason is None and _SEPARATORS.sub("", handle) in registry.brands:
            reason = Reason.EXTRA_WORDS
    return _result(shown, InputKind.HANDLE, handle, reason or Reason.UNRELATED)
