"""OKpay settings: everything comes from environment variables (see README)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from okpay.config.env import PROJECT_ROOT, env_bool, env_int, env_str, var_dir

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()

DEVELOPMENT_SECRET_KEY = "okpay-development-secret-key-do-not-use-in-production"  # noqa: S105

DEBUG = env_bool("OKPAY_DEBUG", True)
SECRET_KEY = env_str("OKPAY_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
if not DEBUG and (SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured(
        "OKpay refuses to start in production mode (OKPAY_DEBUG off) with the development "
        "secret key or a key shorter than 32 characters: set OKPAY_SECRET_KEY."
    )

ALLOWED_HOSTS = [
    h.strip()
    for h in env_str("OKPAY_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",")
    if h.strip()
]
SITE_URL = env_str("OKPAY_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "channels",
    "okpay.identity",
    "okpay.ledger",
    "okpay.fx",
    "okpay.fees",
    "okpay.limits",
    "okpay.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "okpay.config.urls"
ASGI_APPLICATION = "okpay.config.asgi.application"
WSGI_APPLICATION = "okpay.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'okpay.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("OKPAY_DB_CONN_MAX_AGE", 0))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN
    # so two writers queue on busy_timeout instead of failing on a lock upgrade.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=30000;PRAGMA foreign_keys=ON"
        ),
    }
    _db["TEST"] = {"NAME": str(VAR_DIR / "test-okpay.sqlite3")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Identity -------------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Languages ------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("OKPAY_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Background jobs, cache, e-mail ---------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
REDIS_URL = env_str("REDIS_URL", "")
# Live chat fans out through a channel layer: Redis when REDIS_URL is set (so several web
# processes share chats and the agents' inbox), in-process memory otherwise.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("OKPAY_CHANNELS_PREFIX", "okpay")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
EMAIL_URL = env_str("EMAIL_URL", "")
if EMAIL_URL.startswith(("smtp://", "smtps://", "submission://")):
    from urllib.parse import unquote, urlsplit

    _mail = urlsplit(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = _mail.scheme == "submission"
else:
    # Demo mode: every message is written to a local mailbox under var/.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mailbox")
DEFAULT_FROM_EMAIL = env_str("OKPAY_FROM_EMAIL", "OKpay <no-reply@okpay.example>")

# --- Ledger ---------------------------------------------------------------------------------
OKPAY_LEDGER_MAX_BATCH = 8000
OKPAY_EXPIRY_SWEEP_SECONDS = env_int("OKPAY_EXPIRY_SWEEP_SECONDS", 15)

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("OKPAY_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

PROJECT_ROOT_DIR = PROJECT_ROOT

# --- Identity and account security (issue 3) -------------------------------------------------
INSTALLED_APPS += ["okpay.notifications", "okpay.support"]
MIDDLEWARE += ["okpay.identity.middleware.SessionSecurityMiddleware"]
AUTH_PASSWORD_VALIDATORS += [{"NAME": "okpay.identity.password_policy.PolicyValidator"}]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "identity:account"

# Lockout: N consecutive failed sign-ins lock an account for M minutes; per-IP throttle.
OKPAY_LOGIN_MAX_FAILURES = env_int("OKPAY_LOGIN_MAX_FAILURES", 5)
OKPAY_LOGIN_LOCK_MINUTES = env_int("OKPAY_LOGIN_LOCK_MINUTES", 30)
OKPAY_LOGIN_IP_LIMIT_PER_MINUTE = env_int("OKPAY_LOGIN_IP_LIMIT_PER_MINUTE", 20)
OKPAY_PENDING_LOGIN_SECONDS = 300  # time to enter the 2FA code after the password
# Sessions: idle and absolute limits, and how often "last seen" is written.
OKPAY_SESSION_IDLE_MINUTES = env_int("OKPAY_SESSION_IDLE_MINUTES", 30)
OKPAY_SESSION_MAX_HOURS = env_int("OKPAY_SESSION_MAX_HOURS", 12)
OKPAY_SESSION_TOUCH_SECONDS = 60
# The cookie outlives the absolute limit a little, so the limit is enforced (and logged) by
# the session middleware rather than by the cookie silently expiring.
SESSION_COOKIE_AGE = OKPAY_SESSION_MAX_HOURS * 3600 + 600
# Passwords, e-mailed links and their rate limits.
OKPAY_PASSWORD_REMINDER_DAYS = env_int("OKPAY_PASSWORD_REMINDER_DAYS", 180)
OKPAY_EMAIL_VERIFICATION_HOURS = 24
OKPAY_PASSWORD_RESET_MINUTES = 60
OKPAY_VERIFY_RESEND_PER_HOUR = 3
OKPAY_RESET_PER_EMAIL_PER_HOUR = 3
OKPAY_RESET_PER_IP_PER_HOUR = 10
OKPAY_SIGNUP_PER_IP_PER_HOUR = env_int("OKPAY_SIGNUP_PER_IP_PER_HOUR", 10)
# Second factor and step-up (a confirmation is valid for 5 minutes).
OKPAY_SECOND_FACTOR_ATTEMPTS = 10
OKPAY_SECOND_FACTOR_WINDOW_SECONDS = 600
OKPAY_STEP_UP_SECONDS = 300
# Transfers from this amount (minor units) need step-up; "*" covers other currencies.
OKPAY_STEP_UP_TRANSFER_THRESHOLDS = {
    "CNY": 500_000,
    "USD": 100_000,
    "EUR": 100_000,
    "GBP": 100_000,
    "HKD": 800_000,
    "JPY": 150_000,
    "*": 100_000,
}
OKPAY_MAX_PERSONAL_TOKENS = 20
# Key for sealing TOTP secrets; defaults to SECRET_KEY (set it to rotate SECRET_KEY freely).
OKPAY_SECRETS_KEY = env_str("OKPAY_SECRETS_KEY", "")
# Number of reverse proxies whose X-Forwarded-For is trusted for the client's IP address.
OKPAY_TRUSTED_PROXY_COUNT = env_int("OKPAY_TRUSTED_PROXY_COUNT", 0)

# --- Pricing (FX rates, fees, limits) -------------------------------------------------------
# Exchange rates older than this many hours are stale: quoting and converting stop
# ("fx_rates_stale") until fresh rates are imported.
OKPAY_FX_MAX_AGE_HOURS = env_int("OKPAY_FX_MAX_AGE_HOURS", 72)
# How long a quote locks its rate and fee.
OKPAY_QUOTE_TTL_SECONDS = env_int("OKPAY_QUOTE_TTL_SECONDS", 30)

# --- Wallets (money operations) -------------------------------------------------------------
INSTALLED_APPS += ["okpay.wallets"]
# Sandbox rails: seconds until a bank top-up, a withdrawal and an international payout settle
# (the "recharge delay" users see as the expected arrival time).
OKPAY_SANDBOX_BANK_DELAY_SECONDS = env_int("OKPAY_SANDBOX_BANK_DELAY_SECONDS", 120)
OKPAY_SANDBOX_WITHDRAWAL_DELAY_SECONDS = env_int("OKPAY_SANDBOX_WITHDRAWAL_DELAY_SECONDS", 120)
OKPAY_SANDBOX_PAYOUT_DELAY_SECONDS = env_int("OKPAY_SANDBOX_PAYOUT_DELAY_SECONDS", 300)
# Make every sandbox answer fail: "" (off), "rejected", "returned" or "timeout".
OKPAY_SANDBOX_FORCE = env_str("OKPAY_SANDBOX_FORCE", "")
# An operation the rail has not answered after this many seconds fails with rail_timeout
# and its held money is released.
OKPAY_RAIL_TIMEOUT_SECONDS = env_int("OKPAY_RAIL_TIMEOUT_SECONDS", 3 * 24 * 3600)

# --- Support desk (tickets, e-mail in, SLA) -------------------------------------------------
# The address customers write to; `okpay smtpd` accepts mail for it (and only for it).
OKPAY_SUPPORT_EMAIL = env_str("OKPAY_SUPPORT_EMAIL", "support@okpay.example")
# The authserv-id of our MX in Authentication-Results headers. Mail from an account's address
# is attached to the account only when this MX reports dkim=pass or spf=pass for the sender's
# domain; the MX must remove such headers that arrive from outside (RFC 8601, section 5).
OKPAY_SUPPORT_AUTHSERV_ID = env_str("OKPAY_SUPPORT_AUTHSERV_ID", "mx.okpay.example")
# Where `okpay smtpd` listens (put it behind the MX in production).
OKPAY_SMTPD_HOST = env_str("OKPAY_SMTPD_HOST", "127.0.0.1")
OKPAY_SMTPD_PORT = env_int("OKPAY_SMTPD_PORT", 8025)
# A whole incoming message, and one attachment (web upload or e-mail), at most this big.
OKPAY_SUPPORT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024
OKPAY_SUPPORT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Attachments live here, outside the static files; only the requester and agents can read them.
OKPAY_SUPPORT_ATTACHMENT_DIR = VAR_DIR / "media" / "support"
# SLA defaults (business hours) when no SLA policy matches a ticket.
OKPAY_SLA_FIRST_RESPONSE_HOURS = 24
OKPAY_SLA_RESOLUTION_HOURS = 48
# Business hours of the support team: weekdays (0 = Monday), opening and closing hour, zone.
# The default (around the clock on working days) makes "24 h" one working day, as published
# on the contact page (e-mail: 24–48 h); holidays come from the Holiday table (admin).
OKPAY_SLA_BUSINESS_DAYS = (0, 1, 2, 3, 4)
OKPAY_SLA_BUSINESS_HOURS = (0, 24)
OKPAY_SLA_TIME_ZONE = env_str("OKPAY_SLA_TIME_ZONE", "Asia/Shanghai")
# Escalate a ticket (raise priority, tell supervisors) this many hours before a target is due.
OKPAY_SLA_WARN_HOURS = 4
# A phone callback about a linked transaction of at least this amount (minor units, per
# currency) is queued as "large amount", right after the urgent ones.
OKPAY_CALLBACK_LARGE_AMOUNT = {
    "CNY": 5_000_000,
    "USD": 700_000,
    "EUR": 650_000,
    "HKD": 5_500_000,
}
# Live chat: a waiting chat that no agent accepts within this many minutes becomes a ticket.
# Opening hours come from the active web-chat official channel (or the SLA calendar above).
OKPAY_CHAT_QUEUE_TIMEOUT_MINUTES = env_int("OKPAY_CHAT_QUEUE_TIMEOUT_MINUTES", 5)
