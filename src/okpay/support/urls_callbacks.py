"""Pages of the phone callbacks (customer requests and the agent queue)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
