"""The callbacks API, mounted at /api/v1/callbacks."""

from ninja import Router

router = Router(tags=["callbacks"])
