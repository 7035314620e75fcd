"""The callbacks API, mounted at /api/v1/callbacks.

Authentication as for the tickets API: a personal API token (``Authorization: Bearer``) or
the signed-in session (writes then send ``X-CSRFToken``). A customer asks for a call, lists
and reads their own requests (anything else is 404 ``callback_not_found``) and cancels an
open one. Agents, supervisors and operators read every request and work the queue (claim,
release, verify the caller, complete); everyone else gets 403 ``permission_denied`` there.
The phone number is in full only for its customer and the agent who claimed the call.
Lists use cursor pagination: ``limit`` (1–100) and ``starting_after`` (the last number of
a page).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from okpay.errors import InvalidInput, NotFound, PermissionDenied
from okpay.identity.api import CUSTOMER_AUTH, api_user
from okpay.identity.models import User
from okpay.identity.services import is_support_staff
from okpay.support.models import CallbackRequest
from okpay.support.schemas_callbacks import (
    CallbackCreateIn,
    CallbackFilters,
    CallbackListOut,
    CallbackOut,
    CompleteIn,
    VerifiedOut,
    VerifyIn,
)
from okpay.support.selectors_callbacks import (
    callback_for_customer,
    callback_for_staff,
    callback_list_for_customer,
    callback_queue,
)
from okpay.support.services.callbacks import (
    callback_cancel,
    callback_claim,
    callback_complete,
    callback_release,
    callback_request,
    callback_verify_caller,
    callback_view_record,
)
from okpay.support.views import current_language
from okpay.wallets.schemas import ErrorOut
from okpay.wallets.selectors import transaction_get

router = Router(tags=["callbacks"], auth=CUSTOMER_AUTH)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _staff(request: HttpRequest) -> User:
    user = api_user(request)
    if not is_support_staff(user):
        raise PermissionDenied(_("Only OKpay support staff can work callbacks."))
    return user


def _page(
    rows: list[CallbackRequest], *, viewer: User, limit: int, starting_after: str
) -> CallbackListOut:
    start = 0
    if starting_after:
        numbers = [c.number for c in rows]
        if starting_after not in numbers:
            raise InvalidInput(
                _("The cursor does not name one of the listed callbacks."),
                field="starting_after",
            )
        start = numbers.index(starting_after) + 1
    items = rows[start : start + limit]
    has_more = start + limit < len(rows)
    return CallbackListOut(
        data=[CallbackOut.of(c, viewer=viewer) for c in items],
        has_more=has_more,
        next_cursor=items[-1].number if has_more and items else None,
    )


@router.post("", response={201: CallbackOut, **ERRORS}, summary="Ask to be called back")
def callback_create(request: HttpRequest, payload: CallbackCreateIn) -> Status:
    user = api_user(request)
    txn = None
    if payload.transaction:
        try:
            txn = transaction_get(user=user, reference=payload.transaction)
        except NotFound as exc:
            raise NotFound(exc.message, field="transaction") from exc
    callback = callback_request(
        requester=user,
        phone=payload.phone,
        window_start=payload.window_start,
        window_end=payload.window_end,
        topic=payload.topic,
        transaction=txn,
        note=payload.note,
        language=current_language(),
    )
    return Status(201, CallbackOut.of(callback, viewer=user))


@router.get(
    "",
    response={200: CallbackListOut, **ERRORS},
    summary="List my callback requests, newest first",
)
def callback_mine(request: HttpRequest, filters: Query[CallbackFilters]) -> CallbackListOut:
    user = api_user(request)
    rows = callback_list_for_customer(user=user)
    return _page(rows, viewer=user, limit=filters.limit, starting_after=filters.starting_after)


@router.get(
    "/queue",
    response={200: CallbackListOut, **ERRORS},
    summary="Staff: the open requests, urgent first, then large amounts, then by window",
)
def callback_queue_list(request: HttpRequest, filters: Query[CallbackFilters]) -> CallbackListOut:
    agent = _staff(request)
    rows = callback_queue(limit=1000)
    return _page(rows, viewer=agent, limit=filters.limit, starting_after=filters.starting_after)


def _reach(user: User, number: str) -> CallbackRequest:
    """The request as its customer or a member of staff may reach it."""
    if is_support_staff(user):
        return callback_for_staff(user=user, number=number)
    return callback_for_customer(user=user, number=number)


@router.get("/{number}", response={200: CallbackOut, **ERRORS}, summary="One callback request")
def callback_get(request: HttpRequest, number: str) -> CallbackOut:
    user = api_user(request)
    callback = _reach(user, number)
    if is_support_staff(user) and callback.requester_id != user.pk:
        callback_view_record(callback=callback, viewer=user)
    return CallbackOut.of(callback, viewer=user)


@router.post(
    "/{number}/cancel",
    response={200: CallbackOut, **ERRORS},
    summary="Cancel my open callback request",
)
def callback_cancel_api(request: HttpRequest, number: str) -> CallbackOut:
    user = api_user(request)
    callback = callback_for_customer(user=user, number=number)
    return CallbackOut.of(callback_cancel(callback=callback, user=user), viewer=user)


@router.post(
    "/{number}/claim",
    response={200: CallbackOut, **ERRORS},
    summary="Staff: take a waiting request (409 when another agent was first)",
)
def callback_claim_api(request: HttpRequest, number: str) -> CallbackOut:
    agent = _staff(request)
    callback = callback_for_staff(user=agent, number=number)
    return CallbackOut.of(callback_claim(callback=callback, agent=agent), viewer=agent)


@router.post(
    "/{number}/release",
    response={200: CallbackOut, **ERRORS},
    summary="Staff: put a claimed request back in the queue",
)
def callback_release_api(request: HttpRequest, number: str) -> CallbackOut:
    agent = _staff(request)
    callback = callback_for_staff(user=agent, number=number)
    return CallbackOut.of(callback_release(callback=callback, actor=agent), viewer=agent)


@router.post(
    "/{number}/verify",
    response={200: VerifiedOut, **ERRORS, 429: ErrorOut},
    summary="Staff: check the support verification code the caller reads out",
)
def callback_verify_api(request: HttpRequest, number: str, payload: VerifyIn) -> VerifiedOut:
    agent = _staff(request)
    callback = callback_for_staff(user=agent, number=number)
    verified = callback_verify_caller(callback=callback, agent=agent, code=payload.code)
    return VerifiedOut(
        user_id=verified.user_id,
        display_name=verified.display_name,
        email_masked=verified.email_masked,
        phone_masked=verified.phone_masked,
        verified_at=verified.verified_at,
    )


@router.post(
    "/{number}/complete",
    response={200: CallbackOut, **ERRORS},
    summary="Staff: record the outcome of the call (recorded on a ticket when completed)",
)
def callback_complete_api(request: HttpRequest, number: str, payload: CompleteIn) -> CallbackOut:
    agent = _staff(request)
    callback = callback_for_staff(user=agent, number=number)
    done = callback_complete(
        callback=callback, agent=agent, outcome=payload.outcome, note=payload.note
    )
    return CallbackOut.of(done, viewer=agent)
