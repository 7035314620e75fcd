"""Support verification codes: the customer reads a one-time code to an agent."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okpay.identity.models.users import User


class SupportChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Live chat")


class SupportVerificationCode(models.Model):
    """A 6-digit code the signed-in customer reads to a support agent (valid 10 minutes).

    Only a keyed digest of the code is stored. The code is usable while ``used_at`` and
    ``invalidated_at`` are empty and ``expires_at`` lies ahead; a new code invalidates the
    older unused ones. ``verified_by`` and ``channel`` record who confirmed it and where.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="support_codes", verbose_name=_("customer")
    )
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    invalidated_at = models.DateTimeField(_("invalidated"), null=True, blank=True)
    verified_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=SupportChannel.choices, blank=True
    )

    class Meta:
        verbose_name = _("support verification code")
        verbose_name_plural = _("support verification codes")
        indexes: ClassVar = [
            models.Index(fields=["user", "-created_at"], name="identity_supportcode_user"),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(channel="")
                | models.Q(channel__in=[c.value for c in SupportChannel]),
                name="identity_supportcode_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="identity_supportcode_expires_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"support code #{self.pk} of {self.user}"
