"""Digests and sealed secrets for the identity app, from the standard library only.

* ``sha256_hex`` digests the random tokens sent in e-mail links: they carry 256 random
  bits, so a fast unkeyed digest is enough to store them safely.
* ``keyed_digest`` (HMAC-SHA256 with a key derived from the server's secret) digests
  short secrets such as recovery codes, so a stolen table cannot be brute-forced offline.
* ``seal``/``unseal`` encrypt the TOTP secrets, which the server must be able to read back
  to check codes: HMAC-SHA256 in counter mode as the key stream, then HMAC-SHA256 over the
  nonce and cipher text (encrypt-then-MAC, keys derived per purpose). A sealed value reads
  ``v1$<base64(nonce | cipher text | tag)>``.

The master key is ``OKPAY_SECRETS_KEY`` when set, else ``SECRET_KEY``; values sealed under
an older key in ``SECRET_KEY_FALLBACKS`` (or ``OKPAY_SECRETS_KEY_FALLBACKS``) still open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

NONCE_BYTES = 16
TAG_BYTES = 32
VERSION = "v1"


class SealError(Exception):
    """A sealed value was altered, truncated, or sealed under an unknown key."""


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _master_keys() -> list[str]:
    primary = getattr(settings, "OKPAY_SECRETS_KEY", "") or settings.SECRET_KEY
    fallbacks = list(getattr(settings, "OKPAY_SECRETS_KEY_FALLBACKS", []) or [])
    fallbacks += list(getattr(settings, "SECRET_KEY_FALLBACKS", []) or [])
    return [primary, *[k for k in fallbacks if k and k != primary]]


def _derive(master: str, label: str) -> bytes:
    return hmac.new(master.encode("utf-8"), f"okpay-identity:{label}".encode(), "sha256").digest()


def keyed_digest(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` under the current master key, as hex."""
    return keyed_digests(value, purpose=purpose)[0]


def keyed_digests(value: str, *, purpose: str) -> list[str]:
    """``keyed_digest`` under the current key and every fallback key, for look-ups."""
    return [
        hmac.new(_derive(master, f"digest:{purpose}"), value.encode("utf-8"), "sha256").hexdigest()
        for master in _master_keys()
    ]


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = []
    for counter in range((length + 31) // 32):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(8, "big"), "sha256").digest())
    return b"".join(blocks)[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def seal(plaintext: str, *, purpose: str) -> str:
    master = _master_keys()[0]
    enc_key = _derive(master, f"enc:{purpose}")
    mac_key = _derive(master, f"mac:{purpose}")
    nonce = secrets.token_bytes(NONCE_BYTES)
    data = plaintext.encode("utf-8")
    cipher = _xor(data, _keystream(enc_key, nonce, len(data)))
    tag = hmac.new(mac_key, VERSION.encode() + nonce + cipher, "sha256").digest()
    return f"{VERSION}${base64.urlsafe_b64encode(nonce + cipher + tag).decode('ascii')}"


def unseal(sealed: str, *, purpose: str) -> str:
    version, _, payload = sealed.partition("$")
    if version != VERSION or not payload:
        raise SealError("unknown format")
    try:
        raw = base64.urlsafe_b64decode(payload.encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise SealError("not base64") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise SealError("too short")
    nonce, cipher, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    for master in _master_keys():
        mac_key = _derive(master, f"mac:{purpose}")
        expected = hmac.new(mac_key, VERSION.encode() + nonce + cipher, "sha256").digest()
        if hmac.compare_digest(expected, tag):
            enc_key = _derive(master, f"enc:{purpose}")
            return _xor(cipher, _keystream(enc_key, nonce, len(cipher))).decode("utf-8")
    raise SealError("authentication failed")
