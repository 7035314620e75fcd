"""The site's URLs with the customer auth router mounted at /api/v1/auth.

The project API mounts the router in ``okpay.config.api``; this test URLconf mounts it on a
copy of that API (same error handlers) so the identity tests do not depend on it.
"""

from __future__ import annotations

from django.urls import path

from okpay.config import api as config_api
from okpay.config.urls import urlpatterns as site_urlpatterns
from okpay.identity.api import router

test_api = config_api.OkpayNinjaAPI(
    title="OKpay API (identity tests)", version="test", urls_namespace="identity_test_api"
)
for exc_class, handler in config_api.api._exception_handlers.items():
    test_api.add_exception_handler(exc_class, handler)
test_api.add_router("/v1/auth", router)

urlpatterns = [path("api/", test_api.urls), *site_urlpatterns]
