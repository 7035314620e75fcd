from django.urls import URLPattern, URLResolver, path

from okpay.support import views

app_name = "support"

urlpatterns: list[URLPattern | URLResolver] = [
    path("help/", views.home, name="home"),
    path("help/search/", views.search, name="search"),
    path("help/contact/", views.contact, name="contact"),
    path("help/check/", views.check, name="check"),
    path("help/c/<slug:slug>/", views.category, name="category"),
    path("help/a/<slug:slug>/", views.article, name="article"),
    path("help/a/<slug:slug>/vote/", views.article_vote_view, name="article_vote"),
    path("help/preview/", views.markdown_preview, name="markdown_preview"),
]

# --- Tickets and the agent workspace --------------------------------------------------------
from okpay.support import views_agent, views_tickets  # noqa: E402

urlpatterns += [
    path("support/tickets/", views_tickets.ticket_list, name="tickets"),
    path("support/tickets/new/", views_tickets.ticket_new, name="ticket_new"),
    path(
        "support/tickets/confirm/<str:token>/",
        views_tickets.ticket_confirm,
        name="ticket_confirm",
    ),
    path("support/tickets/<str:number>/", views_tickets.ticket_detail, name="ticket"),
    path("support/tickets/<str:number>/rate/", views_tickets.ticket_rate_view, name="ticket_rate"),
    path(
        "support/tickets/<str:number>/files/<int:attachment_id>/",
        views_tickets.attachment_download,
        name="ticket_attachment",
    ),
    path("support/agent/", views_agent.agent_inbox, name="agent_inbox"),
    path("support/agent/board/", views_agent.agent_board, name="agent_board"),
    path("support/agent/tickets/<str:number>/", views_agent.agent_ticket, name="agent_ticket"),
    path("support/agent/tickets/<str:number>/reply/", views_agent.agent_reply, name="agent_reply"),
    path(
        "support/agent/tickets/<str:number>/update/",
        views_agent.agent_update,
        name="agent_update",
    ),
    path("support/agent/tickets/<str:number>/merge/", views_agent.agent_merge, name="agent_merge"),
    path("support/agent/tickets/<str:number>/link/", views_agent.agent_link, name="agent_link"),
]

# --- Live chat and phone callbacks ----------------------------------------------------------
from django.urls import include  # noqa: E402

urlpatterns += [
    path("", include("okpay.support.urls_chat")),
    path("", include("okpay.support.urls_callbacks")),
]
