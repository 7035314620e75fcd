import pytest

from okpay.support.checker import ChannelRef, Reason, Verdict, check, edit_distance, skeleton
from okpay.support.errors import CheckValueInvalid
from okpay.support.models import OfficialChannel
from okpay.support.services import channel_check

pytestmark = pytest.mark.django_db

OFFICIAL = [
    ("support@okpay.example", "email", "support@okpay.example"),
    ("SUPPORT@OKPAY.EXAMPLE", "email", "support@okpay.example"),
    ("mailto:support@okpay.example", "email", "support@okpay.example"),
    ("security@okpay.example", "email", "security@okpay.example"),
    ("+86 400 123 4567", "phone", "+86 400 123 4567"),
    ("4001234567", "phone", "+86 400 123 4567"),
    ("(+86)400-123-4567", "phone", "+86 400 123 4567"),
    ("400-123-4567", "phone", "+86 400 123 4567"),
    ("+1 (415) 555-0142", "phone", "+1 415 555 0142"),
    ("tel:+442079460123", "phone", "+44 20 7946 0123"),
    ("https://okpay.example", "website", "https://okpay.example"),
    ("okpay.example", "website", "https://okpay.example"),
    ("@OKpaySupport", "social", "@OKpaySupport"),
    ("https://x.com/okpaysupport", "social", "@OKpaySupport"),
    ("https://twitter.com/OKpaySupport", "social", "@OKpaySupport"),
    ("OKpay_Official", "social", "OKpay_Official"),
    ("OKpay官方", "social", "OKpay官方"),
    ("https://linkedin.com/company/okpay", "social", "okpay"),
]

NOT_OFFICIAL = [
    # other domains and subdomains of other domains
    ("okpay.example.evil.com", Reason.OTHER_DOMAIN),
    ("http://okpay.example.evil.com/login", Reason.OTHER_DOMAIN),
    ("support@okpay.example.evil.com", Reason.OTHER_DOMAIN),
    ("okpay.example.co", Reason.OTHER_DOMAIN),
    ("okpay.com", Reason.OTHER_DOMAIN),
    ("https://okpay.example@evil.com/", Reason.UNRELATED),
    # extra words
    ("okpay-support.example", Reason.EXTRA_WORDS),
    ("support@okpay-support.example", Reason.EXTRA_WORDS),
    ("okpayhelp.com", Reason.EXTRA_WORDS),
    ("@okpay_help", Reason.EXTRA_WORDS),
    # homoglyphs and confusables
    ("0kpay.example", Reason.HOMOGLYPH),
    ("support@0kpay.example", Reason.HOMOGLYPH),
    ("okpaу.example", Reason.HOMOGLYPH),  # Cyrillic у
    ("окpay.example", Reason.HOMOGLYPH),  # Cyrillic о and к
    ("xn--okpa-y6d.example", Reason.HOMOGLYPH),  # punycode of okpaу
    ("@0KpaySupport", Reason.HOMOGLYPH),
    ("https://x.com/OKpaySupp0rt", Reason.HOMOGLYPH),
    # typosquats
    ("okpya.example", Reason.TYPOSQUAT),
    ("okapy.example", Reason.TYPOSQUAT),
    ("okpaay.example", Reason.TYPOSQUAT),
    ("@OKpaySupport_", Reason.TYPOSQUAT),
    # look-alike numbers and unrelated contacts
    ("+86 400 123 4568", Reason.SIMILAR_NUMBER),
    ("+86 400 999 0000", Reason.UNRELATED),
    ("scammer@gmail.com", Reason.UNRELATED),
    ("@randomperson", Reason.UNRELATED),
    # our domain, but not a published address
    ("refunds@okpay.example", Reason.UNKNOWN_ADDRESS),
]


@pytest.mark.parametrize(("value", "kind", "channel_value"), OFFICIAL)
def test_official_channels_in_any_format_are_recognised(
    value: str, kind: str, channel_value: str
) -> None:
    result, channel = channel_check(value=value)

    assert result.verdict == Verdict.OFFICIAL
    assert result.reason == Reason.MATCH
    assert channel is not None
    assert (channel.kind, channel.value) == (kind, channel_value)


@pytest.mark.parametrize(("value", "reason"), NOT_OFFICIAL)
def test_lookalikes_are_never_official(value: str, reason: Reason) -> None:
    result, channel = channel_check(value=value)

    assert result.verdict == Verdict.NOT_OFFICIAL
    assert result.reason == reason
    assert channel is None


def test_phone_formats_normalise_to_one_number() -> None:
    numbers = {channel_check(value=v)[0].normalized for v in OFFICIAL[4:8] for v in [v[0]]}

    assert numbers == {"+864001234567"}


def test_subdomain_of_official_domain_is_official_domain() -> None:
    result, channel = channel_check(value="https://help.okpay.example/login")

    assert result.verdict == Verdict.OFFICIAL
    assert result.reason == Reason.OFFICIAL_DOMAIN
    assert channel is None


def test_deactivated_channel_is_no_longer_official() -> None:
    OfficialChannel.objects.filter(value="+1 415 555 0142").update(active=False)

    result, _ = channel_check(value="+1 415 555 0142")

    assert result.verdict == Verdict.NOT_OFFICIAL


def test_empty_or_too_long_value_is_refused() -> None:
    with pytest.raises(CheckValueInvalid):
        channel_check(value="   ")
    with pytest.raises(CheckValueInvalid):
        channel_check(value="a" * 301)


def test_checker_works_on_plain_channel_list() -> None:
    channels = [ChannelRef(id=1, kind="website", platform="", value="https://okpay.example")]

    assert check("okpay.example", channels).channel_id == 1
    assert check("okpay.example.evil.com", channels).lookalike is True


def test_skeleton_and_edit_distance() -> None:
    assert skeleton("0kpay") == skeleton("okpay")
    assert skeleton("okpaу") == "okpay"
    assert skeleton("rnoney") == "money"
    assert edit_distance("okpay", "okpya") == 1
    assert edit_distance("okpay", "okapy") == 1
    assert edit_distance("okpay", "xyz", limit=2) == 3
