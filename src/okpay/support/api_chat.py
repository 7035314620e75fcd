"""The live-chat API, mounted at /api/v1/chats."""

from ninja import Router

router = Router(tags=["chat"])
