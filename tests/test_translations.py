"""Every user-facing text exists in Simplified Chinese: no catalog entry is empty or fuzzy."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

SRC = Path(__file__).resolve().parents[1] / "src" / "okpay"
CATALOGS = sorted(SRC.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_every_app_with_texts_has_a_catalog() -> None:
    apps = {path.relative_to(SRC).parts[0] for path in CATALOGS}
    assert {"locale", "identity", "notifications", "wallets", "support"} <= apps


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(SRC)))
def test_catalog_is_complete(path: Path) -> None:
    with path.open("rb") as handle:
        catalog = read_po(handle)

    missing = [
        message.id
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or (
                any(not s for s in message.string)
                if isinstance(message.string, tuple)
                else not message.string
            )
        )
    ]

    assert missing == []
