"""Pages of the live chat (customer widget endpoints and the agent console)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
