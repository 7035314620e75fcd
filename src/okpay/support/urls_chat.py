"""Pages of the live chat (customer widget endpoints and the agent console)."""

from django.urls import URLPattern, path

from okpay.support import views_chat

urlpatterns: list[URLPattern] = [
    path("help/chat/", views_chat.chat_page, name="chat"),
    path("support/agent/chats/", views_chat.agent_chats, name="agent_chats"),
    path("support/agent/chats/<str:chat_id>/", views_chat.agent_chat, name="agent_chat"),
    path(
        "support/agent/chats/<str:chat_id>/accept/",
        views_chat.agent_chat_accept,
        name="agent_chat_accept",
    ),
    path(
        "support/agent/chats/<str:chat_id>/send/",
        views_chat.agent_chat_send,
        name="agent_chat_send",
    ),
    path(
        "support/agent/chats/<str:chat_id>/end/", views_chat.agent_chat_end, name="agent_chat_end"
    ),
    path(
        "support/agent/chats/<str:chat_id>/transfer/",
        views_chat.agent_chat_transfer,
        name="agent_chat_transfer",
    ),
    path(
        "support/agent/chats/<str:chat_id>/verify/",
        views_chat.agent_chat_verify,
        name="agent_chat_verify",
    ),
]
