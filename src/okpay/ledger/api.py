"""The operator's ledger API, mounted at /api/v1/ledger.

Batches of accounts and transfers go in and come back as one result per item, in order,
with the ledger's result code (``created``, ``exists`` or the reason it was refused); a
refused item is not an HTTP error. HTTP 400 is kept for requests that are not well formed:
malformed JSON, unknown fields, non-integer amounts, ids longer than 64 characters, an empty
batch or one above the batch limit (``batch_too_large``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from okpay.identity.auth import OperatorTokenAuth
from okpay.identity.models import ApiToken
from okpay.ledger import selectors, services
from okpay.ledger.models import PendingTransfer, Transfer
from okpay.ledger.schemas import (
    AccountOut,
    AccountsCreateIn,
    BatchResultsOut,
    ErrorResponse,
    TransferOut,
    TransferPageOut,
    TransfersCreateIn,
)

router = Router(auth=OperatorTokenAuth(), tags=["ledger"])

WRITE_ERRORS = {400: ErrorResponse, 401: ErrorResponse}
READ_ERRORS = {401: ErrorResponse, 404: ErrorResponse}
LIST_ERRORS = {400: ErrorResponse, 401: ErrorResponse, 404: ErrorResponse}


@router.post(
    "/accounts",
    response={200: BatchResultsOut, **WRITE_ERRORS},
    summary="Create accounts",
    operation_id="ledger_accounts_create",
)
def accounts_create(request: HttpRequest, payload: AccountsCreateIn) -> dict[str, object]:
    """Open accounts. Idempotent by id: repeating an identical account answers ``exists``.

    One result per account, in order: ``created``, ``exists`` or the ledger's reason for
    refusing it (e.g. ``currency_not_supported``). Linked accounts succeed or fail together.
    """
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    results = services.accounts_create(
        accounts=[a.to_spec() for a in payload.accounts], actor=token.user, actor_token=token
    )
    return {"results": [{"id": r.id, "status": r.status.value} for r in results]}


@router.post(
    "/transfers",
    response={200: BatchResultsOut, **WRITE_ERRORS},
    summary="Create transfers",
    operation_id="ledger_transfers_create",
)
def transfers_create(request: HttpRequest, payload: TransfersCreateIn) -> dict[str, object]:
    """Post transfers. Idempotent by id; linked transfers succeed or fail together.

    One result per transfer, in order: ``created``, ``exists`` or the ledger's reason for
    refusing it (e.g. ``exceeds_credits``, ``amount_must_not_be_negative``). A refused
    transfer changes nothing; the others in the batch are still applied.
    """
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    results = services.transfers_create(
        transfers=[t.to_spec() for t in payload.transfers],
        actor=token.user,
        actor_token=token,
    )
    return {"results": [{"id": r.id, "status": r.status.value} for r in results]}


@router.get(
    "/accounts/{str:account_id}",
    response={200: AccountOut, **READ_ERRORS},
    summary="Read an account",
    operation_id="ledger_account_get",
)
def account_get(request: HttpRequest, account_id: str) -> AccountOut:
    account = selectors.account_get(account_id=account_id)
    return AccountOut.model_validate(account)


@router.get(
    "/transfers/{str:transfer_id}",
    response={200: TransferOut, **READ_ERRORS},
    summary="Read a transfer",
    operation_id="ledger_transfer_get",
)
def transfer_get(request: HttpRequest, transfer_id: str) -> TransferOut:
    transfer = selectors.transfer_get(transfer_id=transfer_id)
    out = TransferOut.model_validate(transfer)
    out.pending_status = selectors.transfer_pending_status(transfer=transfer)
    return out


@router.get(
    "/accounts/{str:account_id}/transfers",
    response={200: TransferPageOut, **LIST_ERRORS},
    summary="List an account's transfers",
    operation_id="ledger_account_transfers_list",
)
def account_transfers_list(
    request: HttpRequest,
    account_id: str,
    limit: int = Query(50, ge=1, le=500, description="Page size, 1 to 500."),
    starting_after: str | None = Query(
        None, description="The next_cursor of the previous page (a transfer id)."
    ),
) -> TransferPageOut:
    """Transfers that debit or credit the account, oldest first."""
    page = selectors.account_transfers_list(
        account_id=account_id, limit=limit, starting_after=starting_after
    )
    data = _transfers_out(page.items)
    return TransferPageOut(
        data=data,
        has_more=page.has_more,
        next_cursor=data[-1].id if page.has_more and data else None,
    )


def _transfers_out(transfers: list[Transfer]) -> list[TransferOut]:
    """Render transfers, reading the status of the pending ones in one query."""
    pending_ids = [t.id for t in transfers if t.pending]
    statuses = dict(
        PendingTransfer.objects.filter(transfer_id__in=pending_ids).values_list(
            "transfer_id", "status"
        )
        if pending_ids
        else ()
    )
    out = []
    for transfer in transfers:
        item = TransferOut.model_validate(transfer)
        item.pending_status = statuses.get(transfer.id)
        out.append(item)
    return out
