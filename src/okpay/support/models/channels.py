"""The registry of official contact channels, managed by operators."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from okpay.support.models.helpcenter import pick


class ChannelKind(models.TextChoices):
    WEB_CHAT = "web_chat", _("Web chat")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    CALLBACK = "callback", _("Callback")
    SOCIAL = "social", _("Social media")
    WEBSITE = "website", _("Website")


class SocialPlatform(models.TextChoices):
    NONE = "", _("—")
    WECHAT = "wechat", _("WeChat")
    WEIBO = "weibo", _("Weibo")
    X = "x", _("X (Twitter)")
    FACEBOOK = "facebook", _("Facebook")
    LINKEDIN = "linkedin", _("LinkedIn")
    INSTAGRAM = "instagram", _("Instagram")
    YOUTUBE = "youtube", _("YouTube")
    DOUYIN = "douyin", _("Douyin")


class OfficialChannel(models.Model):
    """One official way to reach OKpay.

    ``value`` is what a customer would see and paste: an e-mail address, a phone number in
    any format (stored as typed, compared in E.164), a web address, or a social handle
    (``platform`` says where). The checker treats exactly these rows as official.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    platform = models.CharField(
        _("social platform"), max_length=16, choices=SocialPlatform.choices, blank=True
    )
    value = models.CharField(_("address, number or handle"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    name_zh = models.CharField(_("display name (Chinese)"), max_length=100)
    name_en = models.CharField(_("display name (English)"), max_length=100)
    hours_zh = models.CharField(_("opening hours (Chinese)"), max_length=120, blank=True)
    hours_en = models.CharField(_("opening hours (English)"), max_length=120, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, help_text=_("IANA name, e.g. Asia/Shanghai.")
    )
    response_zh = models.CharField(_("expected response (Chinese)"), max_length=120)
    response_en = models.CharField(_("expected response (English)"), max_length=120)
    best_for_zh = models.CharField(_("best for (Chinese)"), max_length=300)
    best_for_en = models.CharField(_("best for (English)"), max_length=300)
    order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("order", "pk")
        verbose_name = _("official channel")
        verbose_name_plural = _("official channels")
        constraints = [
            models.UniqueConstraint(
                fields=("kind", "platform", "value"), name="support_channel_unique_value"
            ),
            models.CheckConstraint(
                condition=~Q(kind="social") | ~Q(platform=""),
                name="support_channel_social_has_platform",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def name(self, language: str) -> str:
        return pick(self.name_zh, self.name_en, language)[0]

    def hours(self, language: str) -> str:
        return pick(self.hours_zh, self.hours_en, language)[0]

    def response(self, language: str) -> str:
        return pick(self.response_zh, self.response_en, language)[0]

    def best_for(self, language: str) -> str:
        return pick(self.best_for_zh, self.best_for_en, language)[0]
