"""Errors of the phone callbacks, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from okpay.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class CallbackNotFound(NotFound):
    code = "callback_not_found"
    default_message = _("No callback request of yours has this number.")


class CallbackWindowInvalid(InvalidInput):
    code = "callback_window_invalid"
    default_message = _("Choose a time window in the next 14 days, at least 30 minutes long.")


class CallbackOutsideHours(InvalidInput):
    code = "callback_outside_hours"
    default_message = _("We can only call you while our phone line is open.")


class CallbackTopicInvalid(InvalidInput):
    code = "callback_topic_invalid"
    default_message = _("Choose what the call is about.")


class CallbackAlreadyOpen(Conflict):
    code = "callback_already_open"
    default_message = _(
        "You already have a callback request waiting. Cancel it first, or wait for our call."
    )


class CallbackNotOpen(Conflict):
    code = "callback_not_open"
    default_message = _("This callback request is already completed or cancelled.")


class CallbackAlreadyClaimed(Conflict):
    code = "callback_already_claimed"
    default_message = _(
        "Another agent has just taken this callback. Pick the next one in the queue."
    )


class CallbackNotClaimedByYou(PermissionDenied):
    code = "callback_not_claimed_by_you"
    default_message = _("Claim this callback first: only the agent making the call can do this.")


class CallbackOutcomeInvalid(InvalidInput):
    code = "callback_outcome_invalid"
    default_message = _("Choose how the call went: resolved, follow-up, no answer or wrong number.")
