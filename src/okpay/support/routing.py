"""WebSocket addresses of the support desk (mounted by ``okpay.config.asgi``).

- ``ws/support/chat/``: the signed-in customer's live chat (``CustomerChatConsumer``)
- ``ws/support/agent/``: every agent page — chat console and inbox (``AgentConsumer``)

The messages and the events each socket receives are listed in ``okpay.support.consumers``;
the agents' events (``chat.queued``, ``chat.accepted``, ``chat.ended``, ``chat.missed``,
``chat.typing``, ``chat.message``, each with ``chat`` = the chat's public id) arrive on
``ws/support/agent/`` together with every other event published to ``AGENTS_GROUP``.
"""

from django.urls import path, re_path

from okpay.support.consumers import AgentConsumer, CustomerChatConsumer, RefusedConsumer

websocket_urlpatterns = [
    path("ws/support/chat/", CustomerChatConsumer.as_asgi()),
    path("ws/support/agent/", AgentConsumer.as_asgi()),
    re_path(r"", RefusedConsumer.as_asgi()),
]
