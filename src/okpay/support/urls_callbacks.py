"""Pages of the phone callbacks (customer requests and the agent queue)."""

from django.urls import URLPattern, path

from okpay.support import views_callbacks as views

urlpatterns: list[URLPattern] = [
    path("support/callback/", views.callback_new, name="callback_new"),
    path("support/callbacks/", views.callback_list, name="callbacks"),
    path("support/callbacks/<str:number>/", views.callback_detail, name="callback"),
    path(
        "support/callbacks/<str:number>/cancel/",
        views.callback_cancel_view,
        name="callback_cancel",
    ),
    path("support/agent/callbacks/", views.agent_callbacks, name="agent_callbacks"),
    path("support/agent/callbacks/<str:number>/", views.agent_callback, name="agent_callback"),
    path(
        "support/agent/callbacks/<str:number>/claim/",
        views.agent_callback_claim,
        name="agent_callback_claim",
    ),
    path(
        "support/agent/callbacks/<str:number>/release/",
        views.agent_callback_release,
        name="agent_callback_release",
    ),
    path(
        "support/agent/callbacks/<str:number>/verify/",
        views.agent_callback_verify,
        name="agent_callback_verify",
    ),
    path(
        "support/agent/callbacks/<str:number>/complete/",
        views.agent_callback_complete,
        name="agent_callback_complete",
    ),
]
