from __future__ import annotations

from okpay.support.checker import ChannelRef, CheckResult, check
from okpay.support.errors import CheckValueInvalid
from okpay.support.models import OfficialChannel

MAX_CHECK_LENGTH = 300


def channel_check(*, value: str) -> tuple[CheckResult, OfficialChannel | None]:
    """Judge ``value`` against the active official channels."""
    value = value.strip()
    if not value or len(value) > MAX_CHECK_LENGTH:
        raise CheckValueInvalid(field="value")
    channels = list(OfficialChannel.objects.filter(active=True))
    refs = [
        ChannelRef(id=ch.pk, kind=ch.kind, platform=ch.platform, value=ch.value) for ch in channels
    ]
    result = check(value, refs)
    match = next((ch for ch in channels if ch.pk == result.channel_id), None)
    return result, match
