from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletsConfig(AppConfig):
    name = "okpay.wallets"
    label = "wallets"
    verbose_name = _("Wallets and money operations")
    default_auto_field = "django.db.models.BigAutoField"
