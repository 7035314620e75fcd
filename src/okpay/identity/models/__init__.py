"""Identity models: users, API tokens, the audit trail, the sign-in security state and
support verification codes."""

from okpay.identity.models.security import (
    EmailToken,
    KnownDevice,
    RateLimitCounter,
    RecoveryCode,
    SecurityEvent,
    SecurityEventKind,
    SessionEndReason,
    StepUpGrant,
    TokenPurpose,
    TotpDevice,
    UnknownEmailLockout,
    UserSession,
)
from okpay.identity.models.support_code import SupportChannel, SupportVerificationCode
from okpay.identity.models.tokens import ApiToken, AuditEvent, TokenKind
from okpay.identity.models.users import (
    SUPPORT_STAFF_ROLES,
    Role,
    User,
    UserManager,
    normalize_email,
)

__all__ = [
    "SUPPORT_STAFF_ROLES",
    "ApiToken",
    "AuditEvent",
    "EmailToken",
    "KnownDevice",
    "RateLimitCounter",
    "RecoveryCode",
    "Role",
    "SecurityEvent",
    "SecurityEventKind",
    "SessionEndReason",
    "StepUpGrant",
    "SupportChannel",
    "SupportVerificationCode",
    "TokenKind",
    "TokenPurpose",
    "TotpDevice",
    "UnknownEmailLockout",
    "User",
    "UserManager",
    "UserSession",
    "normalize_email",
]
