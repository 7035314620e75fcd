"""Forms for the identity pages. They only parse input; the services decide.

``form_apply_error`` puts an ``OkpayError`` beside the field it names (or on top of the
form), listing every reason of a too-weak password.
"""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from django import forms
from django.utils.translation import get_language, ngettext, pgettext_lazy, to_locale
from django.utils.translation import gettext_lazy as _

from okpay.errors import OkpayError
from okpay.identity.errors import PasswordTooWeak
from okpay.identity.models import SupportChannel
from okpay.identity.services.accounts import country_codes, time_zones
from okpay.identity.services.personal_tokens import EXPIRY_CHOICES_DAYS

LANGUAGE_CHOICES = [("zh-hans", "简体中文"), ("en", "English")]


def country_choices() -> list[tuple[str, Any]]:
    try:
        locale = Locale.parse(to_locale(get_language() or "en"))
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    names = locale.territories
    rows = sorted(
        ((code, str(names.get(code, code))) for code in country_codes()), key=lambda r: r[1]
    )
    return [("", _("— Choose —")), *rows]


def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in time_zones()]


def form_apply_error(form: forms.Form, exc: OkpayError) -> None:
    field = exc.field if exc.field in form.fields else None
    if isinstance(exc, PasswordTooWeak):
        for reason in exc.reasons:
            form.add_error(field, str(reason["message"]))
        return
    form.add_error(field, str(exc.message))


def _password_input(autocomplete: str, *, meter: bool = False) -> forms.PasswordInput:
    attrs: dict[str, Any] = {"autocomplete": autocomplete, "maxlength": 200}
    if meter:
        attrs["data-password-meter"] = "true"
    return forms.PasswordInput(attrs=attrs)


class ProfileFieldsMixin(forms.Form):
    display_name = forms.CharField(
        label=_("Name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone (optional)"),
        max_length=32,
        required=False,
        help_text=_("With the country code, e.g. +86 138 1234 5678."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    country = forms.ChoiceField(label=_("Country or region"), required=False, choices=())
    preferred_language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        zone = self.fields["time_zone"]
        assert isinstance(country, forms.ChoiceField) and isinstance(zone, forms.ChoiceField)
        country.choices = country_choices()
        zone.choices = time_zone_choices()


class SignupForm(ProfileFieldsMixin):
    field_order = [
        "email",
        "display_name",
        "password",
        "phone",
        "country",
        "preferred_language",
        "time_zone",
    ]
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=200,
        strip=False,
        help_text=_("At least 12 characters, with letters and digits."),
        widget=_password_input("new-password", meter=True),
    )


class LoginForm(forms.Form):
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), max_length=200, strip=False, widget=_password_input("current-password")
    )


def _code_field(label: Any = None, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label or _("Authentication code"),
        max_length=32,
        required=required,
        help_text=_("The 6-digit code from your authenticator app, or a recovery code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"}
        ),
    )


class CodeForm(forms.Form):
    code = _code_field()


class NewPasswordForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        max_length=200,
        strip=False,
        help_text=_("At least 12 characters, with letters and digits."),
        widget=_password_input("new-password", meter=True),
    )


class ResetForm(NewPasswordForm):
    code = _code_field(required=False)


class ForgotForm(forms.Form):
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ProfileForm(ProfileFieldsMixin):
    pass


class EmailChangeForm(forms.Form):
    new_email = forms.CharField(
        label=_("New e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        max_length=200,
        strip=False,
        widget=_password_input("current-password"),
    )
    new_password = forms.CharField(
        label=_("New password"),
        max_length=200,
        strip=False,
        help_text=_("At least 12 characters, with letters and digits."),
        widget=_password_input("new-password", meter=True),
    )


class TotpConfirmForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code from the app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class TotpDisableForm(forms.Form):
    password = forms.CharField(
        label=_("Password"), max_length=200, strip=False, widget=_password_input("current-password")
    )
    code = _code_field()


class StepUpPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Password"), max_length=200, strip=False, widget=_password_input("current-password")
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("API token", "Name"),
        max_length=100,
        help_text=_("What will use it, e.g. “accounting script”."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        initial=90,
        choices=(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["expires_in_days"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (days, ngettext("%(days)d day", "%(days)d days", days) % {"days": days})
            for days in EXPIRY_CHOICES_DAYS
        ]


class SupportCodeVerifyForm(forms.Form):
    """The agent's form: who the caller says they are and the code they read out."""

    customer = forms.CharField(
        label=_("Customer's e-mail address or account number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label=_("Support verification code"),
        max_length=16,
        help_text=_("The 6 digits the customer reads to you from their account page."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    channel = forms.ChoiceField(
        label=_("Talking by"),
        choices=SupportChannel.choices,
        initial=SupportChannel.PHONE,
        widget=forms.RadioSelect,
    )
