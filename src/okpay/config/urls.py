from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from okpay.config.api import api

admin.site.site_header = _("OKpay back office")
admin.site.site_title = _("OKpay back office")
admin.site.index_title = _("Operations")

urlpatterns = [
    path("", include("okpay.web.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

# --- Identity and account security (issue 3) -------------------------------------------------
# The back-office sign-in goes through the OKpay sign-in (lockout, 2FA, session records).
from okpay.identity import views as identity_views  # noqa: E402

urlpatterns = [
    path(
        "admin/",
        include(
            [
                path("login/", identity_views.admin_login, name="admin_login_redirect"),
                path("logout/", identity_views.admin_logout, name="admin_logout_redirect"),
            ]
        ),
    ),
    *urlpatterns,
    path("account/", include("okpay.identity.urls")),
    path("", include("okpay.notifications.urls")),
    path("", include("okpay.support.urls")),
    path("", include("okpay.wallets.urls")),
]
