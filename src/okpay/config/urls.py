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
