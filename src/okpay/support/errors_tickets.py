"""Errors of the ticket desk, each with a stable code."""

from django.utils.translation import gettext_lazy as _

from okpay.errors import Conflict, InvalidInput, NotFound, PermissionDenied


class TicketNotFound(NotFound):
    code = "ticket_not_found"
    default_message = _("No ticket of yours has this number.")


class AttachmentNotFound(NotFound):
    code = "attachment_not_found"
    default_message = _("This attachment does not exist or is not yours.")


class AttachmentTooLarge(InvalidInput):
    code = "attachment_too_large"
    default_message = _("An attachment may be at most 10 MB. Send a smaller file or a photo.")


class AttachmentTypeNotAllowed(InvalidInput):
    code = "attachment_type_not_allowed"
    default_message = _(
        "Only images (PNG, JPEG, GIF, WebP) and PDF files can be attached. Save the file in one "
        "of these formats and try again."
    )


class MessageEmpty(InvalidInput):
    code = "message_empty"
    default_message = _("Write a message first.")


class TicketClosed(Conflict):
    code = "ticket_closed"
    default_message = _("This ticket is closed. Open a new ticket and mention its number.")


class RatingNotAllowed(Conflict):
    code = "rating_not_allowed"
    default_message = _("You can rate a ticket once, after it has been solved.")


class RatingInvalid(InvalidInput):
    code = "rating_invalid"
    default_message = _("Choose a rating from 1 (poor) to 5 (excellent).")


class MergeInvalid(InvalidInput):
    code = "merge_invalid"
    default_message = _(
        "These tickets cannot be merged: pick another open ticket of the same customer."
    )


class GuestLinkInvalid(InvalidInput):
    code = "guest_link_invalid"
    default_message = _(
        "This confirmation link is not valid or has expired. Send the request again."
    )


class TransactionNotLinkable(NotFound):
    code = "transaction_not_found"
    default_message = _(
        "The customer who opened this ticket has no transaction with this reference. Check "
        "the reference; a guest's ticket cannot have linked transactions."
    )


class AssigneeInvalid(InvalidInput):
    code = "assignee_invalid"
    default_message = _(
        "Tickets can only be assigned to an active support agent, supervisor or operator."
    )


class StaffOnly(PermissionDenied):
    code = "permission_denied"
    default_message = _("Only support staff can do this.")


class SupervisorOnly(PermissionDenied):
    code = "permission_denied"
    default_message = _("Only support supervisors and operators can see the board.")


class TicketFilterInvalid(InvalidInput):
    code = "filter_invalid"
    default_message = _("This filter value is not one of the allowed values. Check the list.")
