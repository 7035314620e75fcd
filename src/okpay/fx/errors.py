"""Failures of the exchange-rate layer, each with a stable ``code``.

- ``fx_rates_stale``: the newest rate needed is older than ``OKPAY_FX_MAX_AGE_HOURS``;
  retry once fresh rates are imported (details: ``as_of``, ``max_age_hours``).
- ``fx_import_invalid``: a rate file could not be read; nothing was imported.
- ``currency_not_supported`` (from ``okpay.money``): a currency is not enabled or has no rate.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from okpay.errors import InvalidInput, OkpayError


class FxErrorCode(StrEnum):
    FX_RATES_STALE = "fx_rates_stale"
    FX_IMPORT_INVALID = "fx_import_invalid"


class FxRatesStale(OkpayError):
    code = FxErrorCode.FX_RATES_STALE
    http_status = 503
    retryable = True
    default_message = _(
        "Exchange rates are being updated, so we cannot convert right now. Nothing was "
        "changed; please try again in a few minutes."
    )


class FxImportInvalid(InvalidInput):
    """``problem`` says what is wrong with the file, in the active language."""

    code = FxErrorCode.FX_IMPORT_INVALID
    default_message = _("This is not a valid ECB euro reference rate file. Nothing was imported.")

    def __init__(
        self, problem: str | Promise | None = None, *, field: str | None = "file", **details: Any
    ) -> None:
        if problem is None:
            super().__init__(field=field, **details)
            return
        message = gettext("The rate file cannot be imported: %(problem)s Nothing was imported.") % {
            "problem": problem
        }
        super().__init__(message, field=field, problem=str(problem), **details)
