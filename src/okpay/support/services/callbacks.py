"""Callback writes: request, cancel, claim, release, verify the caller, complete.

* A signed-in customer asks to be called in a window (future, at least 30 minutes, within
  the next 14 days, inside the phone line's hours when they can be read). One open request
  per customer: the customer's row is locked while the request is checked and written.
* ``urgency`` is set once, at the request: fraud and locked accounts are urgent; a large
  transfer (by topic, or a linked transaction of at least ``OKPAY_CALLBACK_LARGE_AMOUNT``)
  comes next; everything else is normal.
* Claiming is one conditional UPDATE (``status = 'requested'``): of two agents claiming at
  once exactly one wins, the other gets ``callback_already_claimed``.
* Completing records the call on a new ticket (via ``callback``): the request as the
  customer's message, the agent's notes as an internal note, a short public summary that
  is e-mailed to the customer, and a ``callback`` event. ``no_answer`` puts the request
  back in the queue until the third attempt, which completes it.

Every change writes an audit row with the acting user in its transaction; e-mails go
through the notifications outbox and pushes to agents leave only after the commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.transaction import atomic
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okpay.errors import InvalidInput, OkpayError, PermissionDenied
from okpay.identity.models import Role, User
from okpay.identity.services import (
    audit_record,
    is_support_staff,
    phone_normalize,
    support_code_verify,
)
from okpay.identity.services.support_code import VerifiedCustomer, mask_phone
from okpay.notifications.services import email_to_user
from okpay.support.errors_callbacks import (
    CallbackAlreadyClaimed,
    CallbackAlreadyOpen,
    CallbackNotClaimedByYou,
    CallbackNotFound,
    CallbackNotOpen,
    CallbackOutcomeInvalid,
    CallbackOutsideHours,
    CallbackTopicInvalid,
    CallbackWindowInvalid,
)
from okpay.support.masking import mask_sensitive
from okpay.support.models import (
    OPEN_CALLBACK_STATUSES,
    CallbackOutcome,
    CallbackRequest,
    CallbackStatus,
    CallbackTopic,
    CallbackUrgency,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
    Via,
)
from okpay.support.realtime import publish_to_agents
from okpay.support.selectors_callbacks import (
    callback_line_hours,
    official_phone_numbers,
    zone_of,
)
from okpay.support.services.tickets import (
    customer_data_view_record,
    ticket_create,
    ticket_reply,
    ticket_update,
)
from okpay.wallets.models import Transaction

MIN_WINDOW = timedelta(minutes=30)
MAX_AHEAD = timedelta(days=14)
MAX_ATTEMPTS = 3
MAX_NOTE = 2000
MAX_OUTCOME_NOTE = 5000

URGENT_TOPICS = frozenset({CallbackTopic.SECURITY, CallbackTopic.ACCOUNT_LOCKED})

CATEGORY_FOR_TOPIC = {
    CallbackTopic.SECURITY: TicketCategory.SECURITY,
    CallbackTopic.ACCOUNT_LOCKED: TicketCategory.ACCOUNT,
    CallbackTopic.LARGE_TRANSFER: TicketCategory.OTHER,
    CallbackTopic.PAYMENT_FAILED: TicketCategory.PAYMENT_FAILED,
    CallbackTopic.TOPUP_DELAYED: TicketCategory.TOPUP_DELAYED,
    CallbackTopic.INTERNATIONAL_TRANSFER: TicketCategory.INTERNATIONAL_TRANSFER,
    CallbackTopic.FEES: TicketCategory.FEES,
    CallbackTopic.OTHER: TicketCategory.OTHER,
}


def urgency_name(value: int) -> str:
    """``urgent``, ``large_amount`` or ``normal``: how the API and pushes name urgency."""
    return CallbackUrgency(value).name.lower()


def callback_urgency(*, topic: str, transaction: Transaction | None) -> CallbackUrgency:
    """Urgent topics first; then a large transfer by topic or by the linked amount."""
    if topic in URGENT_TOPICS:
        return CallbackUrgency.URGENT
    if topic == CallbackTopic.LARGE_TRANSFER:
        return CallbackUrgency.LARGE_AMOUNT
    if transaction is not None:
        threshold = settings.OKPAY_CALLBACK_LARGE_AMOUNT.get(transaction.currency)
        if threshold is not None and abs(transaction.amount_minor) >= threshold:
            return CallbackUrgency.LARGE_AMOUNT
    return CallbackUrgency.NORMAL


def _aware(value: datetime, user: User) -> datetime:
    """A naive time is read in the customer's time zone."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=zone_of(user.time_zone))
    return value


def callback_window_check(*, start: datetime, end: datetime, now: datetime) -> None:
    """Raise unless ``start``–``end`` is a window we can call in (aware datetimes)."""
    if end <= start:
        raise CallbackWindowInvalid(
            _("The end of the window must be later than its start."), field="window_end"
        )
    if start <= now:
        raise CallbackWindowInvalid(_("Choose a time in the future."), field="window_start")
    if end - start < MIN_WINDOW:
        raise CallbackWindowInvalid(
            _("Give us at least 30 minutes to call you: choose a later end time."),
            field="window_end",
        )
    if end > now + MAX_AHEAD:
        raise CallbackWindowInvalid(
            _("Choose a time within the next 14 days."),
            field="window_start" if start > now + MAX_AHEAD - MIN_WINDOW else "window_end",
        )
    hours = callback_line_hours()
    if hours is not None:
        start_ok, end_ok = hours.covers(start, end)
        if not (start_ok and end_ok):
            text = hours.text(translation.get_language() or "zh-hans")
            raise CallbackOutsideHours(
                _(
                    "Our phone line is open %(hours)s. Choose a window within these hours: "
                    "we cannot call you outside them."
                )
                % {"hours": text},
                field="window_start" if not start_ok else "window_end",
            )


@dataclass(frozen=True)
class CallbackInput:
    """A request's details once checked: the number in E.164, an aware window."""

    phone: str
    window_start: datetime
    window_end: datetime
    note: str
    problems: tuple[OkpayError, ...]


def callback_request_check(
    *,
    requester: User,
    phone: str,
    window_start: datetime,
    window_end: datetime,
    topic: str,
    note: str = "",
    now: datetime | None = None,
) -> CallbackInput:
    """Check a request's details without writing anything; ``problems`` lists every
    failure (one per field), so a form can show them all at once."""
    now = now or timezone.now()
    problems: list[OkpayError] = []
    if topic not in CallbackTopic.values:
        problems.append(CallbackTopicInvalid(field="topic"))
    phone_e164 = ""
    try:
        phone_e164 = phone_normalize(phone=phone, country=requester.country or "CN")
        if not phone_e164:
            raise InvalidInput(_("Enter the phone number we should call."), field="phone")
    except InvalidInput as exc:
        problems.append(exc)
    start, end = _aware(window_start, requester), _aware(window_end, requester)
    try:
        callback_window_check(start=start, end=end, now=now)
    except InvalidInput as exc:
        problems.append(exc)
    note = note.strip()
    if len(note) > MAX_NOTE:
        problems.append(
            InvalidInput(_("Keep the note under %(n)s characters.") % {"n": MAX_NOTE}, field="note")
        )
    return CallbackInput(
        phone=phone_e164, window_start=start, window_end=end, note=note, problems=tuple(problems)
    )


def callback_request(
    *,
    requester: User,
    phone: str,
    window_start: datetime,
    window_end: datetime,
    topic: str,
    transaction: Transaction | None = None,
    note: str = "",
    language: str | None = None,
    now: datetime | None = None,
) -> CallbackRequest:
    """Ask to be called back. Errors (the first found, see ``callback_request_check``):
    ``callback_topic_invalid``, ``phone_invalid``, ``callback_window_invalid``,
    ``callback_outside_hours``, ``invalid_input`` (note too long); then
    ``callback_already_open``. Nothing is stored when one is raised."""
    now = now or timezone.now()
    checked = callback_request_check(
        requester=requester,
        phone=phone,
        window_start=window_start,
        window_end=window_end,
        topic=topic,
        note=note,
        now=now,
    )
    if checked.problems:
        raise checked.problems[0]
    phone_e164, start, end, note = (
        checked.phone,
        checked.window_start,
        checked.window_end,
        checked.note,
    )
    txn = transaction
    if txn is not None and txn.user_id != requester.pk:
        raise ValueError("only the requester's own transactions can be linked")
    urgency = callback_urgency(topic=topic, transaction=txn)
    with atomic():
        # One open request per customer: the customer's row serialises their requests.
        User.objects.select_for_update().filter(pk=requester.pk).first()
        open_one = CallbackRequest.objects.filter(
            requester=requester, status__in=OPEN_CALLBACK_STATUSES
        ).first()
        if open_one is not None:
            raise CallbackAlreadyOpen(
                _(
                    "You already have a callback request waiting (%(n)s). Cancel it first, "
                    "or wait for our call."
                )
                % {"n": open_one.number},
                number=open_one.number,
            )
        callback = CallbackRequest.objects.create(
            number=f"tmp-{uuid.uuid4().hex[:12]}",
            requester=requester,
            phone=phone_e164,
            window_start=start,
            window_end=end,
            topic=topic,
            note=mask_sensitive(note).text,
            language=language or requester.preferred_language,
            transaction=txn,
            urgency=urgency,
            created_at=now,
        )
        callback.number = f"CB-{callback.pk:06d}"
        callback.save(update_fields=["number"])
        audit_record(
            action="support.callback_request",
            actor=requester,
            object_type="callback",
            object_id=callback.number,
            data={
                "topic": topic,
                "urgency": urgency_name(urgency),
                "transaction": txn.reference if txn else "",
            },
        )
        email_to_user(
            user=requester,
            template="support/callbacks/email/requested",
            context=_email_context(callback),
        )
        publish_to_agents(
            "callback.requested", number=callback.number, urgency=urgency_name(urgency)
        )
    return callback


def _email_context(callback: CallbackRequest) -> dict[str, object]:
    return {
        "callback": callback,
        "phone_masked": mask_phone(callback.phone),
        "time_zone_name": zone_of(callback.requester.time_zone).key,
        "callback_url": f"{settings.SITE_URL}/support/callbacks/{callback.number}/",
        "support_code_url": f"{settings.SITE_URL}/account/support-code/",
        "official_numbers": official_phone_numbers(),
    }


def callback_cancel(
    *, callback: CallbackRequest, user: User, now: datetime | None = None
) -> CallbackRequest:
    """The customer withdraws an open request (also while an agent is calling)."""
    if callback.requester_id != user.pk:
        raise CallbackNotFound(field="number")
    with atomic():
        updated = CallbackRequest.objects.filter(
            pk=callback.pk, requester=user, status__in=OPEN_CALLBACK_STATUSES
        ).update(status=CallbackStatus.CANCELLED)
        if not updated:
            raise CallbackNotOpen()
        audit_record(
            action="support.callback_cancel",
            actor=user,
            object_type="callback",
            object_id=callback.number,
            data={"from": callback.status},
        )
        publish_to_agents(
            "callback.cancelled", number=callback.number, urgency=urgency_name(callback.urgency)
        )
    callback.refresh_from_db()
    return callback


def _require_staff(user: User) -> None:
    if not is_support_staff(user):
        raise PermissionDenied(_("Only OKpay support staff can work callbacks."))


def callback_claim(
    *, callback: CallbackRequest, agent: User, now: datetime | None = None
) -> CallbackRequest:
    """Take a waiting request: it becomes in_progress with ``agent``. Claiming one's own
    claimed request again changes nothing. Errors: ``callback_already_claimed``,
    ``callback_not_open``."""
    _require_staff(agent)
    now = now or timezone.now()
    with atomic():
        updated = CallbackRequest.objects.filter(
            pk=callback.pk, status=CallbackStatus.REQUESTED
        ).update(status=CallbackStatus.IN_PROGRESS, agent=agent, claimed_at=now)
        if not updated:
            current = CallbackRequest.objects.select_related("agent").get(pk=callback.pk)
            if current.status == CallbackStatus.IN_PROGRESS:
                if current.agent_id == agent.pk:
                    return current
                raise CallbackAlreadyClaimed(
                    agent=current.agent.display_name if current.agent else ""
                )
            raise CallbackNotOpen()
        audit_record(
            action="support.callback_claim",
            actor=agent,
            object_type="callback",
            object_id=callback.number,
            data={"attempt": callback.attempts + 1},
        )
        publish_to_agents(
            "callback.claimed",
            number=callback.number,
            urgency=urgency_name(callback.urgency),
            agent=agent.display_name or agent.email,
        )
    callback.refresh_from_db()
    return callback


def _may_release_others(user: User) -> bool:
    return user.role in (Role.SUPERVISOR, Role.OPERATOR)


def callback_release(
    *, callback: CallbackRequest, actor: User, now: datetime | None = None
) -> CallbackRequest:
    """Put a claimed request back in the queue: by the agent who claimed it, or by a
    supervisor or operator for anyone's."""
    _require_staff(actor)
    with atomic():
        rows = CallbackRequest.objects.filter(pk=callback.pk, status=CallbackStatus.IN_PROGRESS)
        if not _may_release_others(actor):
            rows = rows.filter(agent=actor)
        previous = callback.agent.email if callback.agent else ""
        updated = rows.update(status=CallbackStatus.REQUESTED, agent=None, claimed_at=None)
        if not updated:
            current = CallbackRequest.objects.get(pk=callback.pk)
            if not current.is_open:
                raise CallbackNotOpen()
            raise CallbackNotClaimedByYou()
        audit_record(
            action="support.callback_release",
            actor=actor,
            object_type="callback",
            object_id=callback.number,
            data={"agent": previous},
        )
        publish_to_agents(
            "callback.released", number=callback.number, urgency=urgency_name(callback.urgency)
        )
    callback.refresh_from_db()
    return callback


def callback_verify_caller(
    *, callback: CallbackRequest, agent: User, code: str
) -> VerifiedCustomer:
    """Check the support verification code the caller reads out (channel phone), for the
    agent who claimed the call. Errors as ``support_code_verify``."""
    _require_staff(agent)
    current = CallbackRequest.objects.get(pk=callback.pk)
    if current.status != CallbackStatus.IN_PROGRESS or current.agent_id != agent.pk:
        raise CallbackNotClaimedByYou()
    verified = support_code_verify(
        agent=agent,
        customer_email_or_id=str(current.requester_id),
        code=code,
        channel="phone",
    )
    audit_record(
        action="support.callback_caller_verified",
        actor=agent,
        object_type="callback",
        object_id=current.number,
        data={"customer": current.requester_id},
    )
    return verified


def callback_view_record(*, callback: CallbackRequest, viewer: User) -> None:
    """Log that a member of staff looked at a callback and the customer's context."""
    customer_data_view_record(
        viewer=viewer,
        object_type="callback",
        object_id=callback.number,
        customer_email=callback.requester.email,
        what="callback_and_context",
    )


def callback_complete(
    *,
    callback: CallbackRequest,
    agent: User,
    outcome: str,
    note: str = "",
    now: datetime | None = None,
) -> CallbackRequest:
    """Record how the call went (the agent who claimed it).

    ``no_answer`` before the third attempt puts the request back in the queue with one
    more attempt counted. Any other outcome, or the third ``no_answer``, completes it and
    records it on a new ticket: ``resolved`` solves the ticket, ``follow_up`` leaves it
    open and assigned to the agent, ``no_answer`` and ``wrong_number`` solve it with a
    summary that tells the customer what to do. Errors: ``callback_outcome_invalid``,
    ``callback_not_open``, ``callback_not_claimed_by_you``.
    """
    _require_staff(agent)
    now = now or timezone.now()
    if outcome not in CallbackOutcome.values:
        raise CallbackOutcomeInvalid(field="outcome")
    note = mask_sensitive(note.strip()[:MAX_OUTCOME_NOTE]).text
    with atomic():
        locked = (
            CallbackRequest.objects.select_for_update(of=("self",))
            .select_related("requester", "transaction")
            .get(pk=callback.pk)
        )
        if not locked.is_open:
            raise CallbackNotOpen()
        if locked.status != CallbackStatus.IN_PROGRESS or locked.agent_id != agent.pk:
            raise CallbackNotClaimedByYou()
        locked.attempts += 1
        stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
        line = f"#{locked.attempts} {stamp} {outcome}" + (f": {note}" if note else "")
        locked.outcome_note = f"{locked.outcome_note}\n{line}" if locked.outcome_note else line
        if outcome == CallbackOutcome.NO_ANSWER and locked.attempts < MAX_ATTEMPTS:
            locked.status = CallbackStatus.REQUESTED
            locked.agent = None
            locked.claimed_at = None
            locked.save(update_fields=["status", "agent", "claimed_at", "attempts", "outcome_note"])
            audit_record(
                action="support.callback_no_answer",
                actor=agent,
                object_type="callback",
                object_id=locked.number,
                data={"attempts": locked.attempts},
            )
            publish_to_agents(
                "callback.released",
                number=locked.number,
                urgency=urgency_name(locked.urgency),
                attempts=locked.attempts,
            )
            return locked
        locked.status = CallbackStatus.COMPLETED
        locked.outcome = outcome
        locked.completed_at = now
        locked.ticket = _record_on_ticket(callback=locked, agent=agent, outcome=outcome, now=now)
        locked.save()
        audit_record(
            action="support.callback_complete",
            actor=agent,
            object_type="callback",
            object_id=locked.number,
            data={
                "outcome": outcome,
                "attempts": locked.attempts,
                "ticket": locked.ticket.number,
            },
        )
        publish_to_agents(
            "callback.completed",
            number=locked.number,
            urgency=urgency_name(locked.urgency),
            outcome=outcome,
        )
    return locked


def _local(value: datetime, user: User) -> str:
    return value.astimezone(zone_of(user.time_zone)).strftime("%Y-%m-%d %H:%M")


def _request_text(callback: CallbackRequest) -> str:
    """The customer's request, as the first message of the ticket (active language)."""
    user = callback.requester
    zone = zone_of(user.time_zone)
    until = callback.window_end.astimezone(zone).strftime("%H:%M")
    window = f"{_local(callback.window_start, user)}–{until} ({zone.key})"
    lines = [
        _("Callback request %(n)s") % {"n": callback.number},
        _("Topic: %(v)s") % {"v": callback.get_topic_display()},
        _("Preferred time: %(v)s") % {"v": window},
        _("Phone: %(v)s") % {"v": mask_phone(callback.phone)},
    ]
    if callback.transaction is not None:
        lines.append(_("Transaction: %(v)s") % {"v": callback.transaction.reference})
    if callback.note:
        lines += ["", callback.note]
    return "\n".join(lines)


def _summary_text(callback: CallbackRequest, *, agent: User, outcome: str, now: datetime) -> str:
    """The public summary e-mailed to the customer (active language)."""
    values = {
        "when": _local(now, callback.requester),
        "topic": callback.get_topic_display(),
        "phone": mask_phone(callback.phone),
        "n": callback.attempts,
        "agent": agent.display_name or _("our support team"),
    }
    if outcome == CallbackOutcome.RESOLVED:
        return (
            _(
                "We called you on %(when)s about “%(topic)s”, and your question was resolved "
                "on the call. If anything is still unclear, reply to this message."
            )
            % values
        )
    if outcome == CallbackOutcome.FOLLOW_UP:
        return (
            _(
                "We called you on %(when)s about “%(topic)s”. %(agent)s is following up and "
                "will write to you here; you can reply to this message at any time."
            )
            % values
        )
    if outcome == CallbackOutcome.WRONG_NUMBER:
        return (
            _(
                "We called %(phone)s on %(when)s about “%(topic)s”, but reached someone else. "
                "Check your phone number and request a new callback if you still need one, "
                "or reply to this message."
            )
            % values
        )
    return (
        _(
            "We tried to call you %(n)s times at %(phone)s about “%(topic)s” but could not "
            "reach you, so we have closed the callback request. If you still need help, "
            "reply to this message or request a new callback."
        )
        % values
    )


def _record_on_ticket(
    *, callback: CallbackRequest, agent: User, outcome: str, now: datetime
) -> Ticket:
    """A ticket for the customer that records the call (inside the caller's transaction)."""
    customer = callback.requester
    with translation.override(customer.preferred_language):
        subject = _("Phone callback %(n)s: %(topic)s") % {
            "n": callback.number,
            "topic": callback.get_topic_display(),
        }
        body = _request_text(callback)
        summary = _summary_text(callback, agent=agent, outcome=outcome, now=now)
    with translation.override(agent.preferred_language):
        internal = "\n".join(
            [
                _("Callback %(n)s · outcome: %(o)s · attempts: %(a)s")
                % {
                    "n": callback.number,
                    "o": CallbackOutcome(outcome).label,
                    "a": callback.attempts,
                },
                "",
                callback.outcome_note,
            ]
        )
    ticket = ticket_create(
        requester=customer,
        subject=subject,
        body=body,
        category=CATEGORY_FOR_TOPIC.get(CallbackTopic(callback.topic), TicketCategory.OTHER),
        via=Via.CALLBACK,
        transactions=[callback.transaction] if callback.transaction is not None else [],
        acknowledge=False,
        now=now,
    )
    ticket_reply(
        ticket=ticket, author=agent, body=internal, internal=True, via=Via.CALLBACK, now=now
    )
    ticket_reply(
        ticket=ticket,
        author=agent,
        body=summary,
        via=Via.CALLBACK,
        status=TicketStatus.OPEN if outcome == CallbackOutcome.FOLLOW_UP else TicketStatus.SOLVED,
        now=now,
    )
    if outcome == CallbackOutcome.FOLLOW_UP:
        ticket_update(ticket=ticket, actor=agent, assignee=agent, now=now)
    TicketEvent.objects.create(
        ticket=ticket,
        actor=agent,
        kind=TicketEventKind.CALLBACK,
        data={
            "callback": callback.number,
            "outcome": outcome,
            "attempts": callback.attempts,
            "topic": callback.topic,
        },
        created_at=now,
    )
    ticket.refresh_from_db()
    return ticket
