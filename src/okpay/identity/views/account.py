"""Signed-in pages: overview, profile, e-mail, password, 2FA, step-up, devices, API tokens
and the security log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout as django_logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okpay.errors import NotFound, OkpayError
from okpay.identity import services
from okpay.identity.errors import StepUpRequired, TotpAlreadyEnabled, TotpNotEnabled
from okpay.identity.forms import (
    CodeForm,
    EmailChangeForm,
    PasswordChangeForm,
    ProfileForm,
    StepUpPasswordForm,
    TokenCreateForm,
    TotpConfirmForm,
    TotpDisableForm,
    form_apply_error,
)
from okpay.identity.models import SecurityEventKind, TokenPurpose
from okpay.identity.selectors import (
    personal_tokens_for_user,
    security_events_for_user,
    totp_enabled,
    user_sessions_active,
)
from okpay.identity.services import StepUpAction
from okpay.identity.services.email_tokens import email_token_check
from okpay.identity.services.step_up import step_up_method
from okpay.identity.views.common import (
    client,
    current_user,
    holder,
    redirect_for_step_up,
    render_account,
    render_page,
    safe_next,
    set_language_cookie,
    step_up_needed,
    step_up_redirect,
)

GET_POST = ["GET", "POST"]
LOG_PAGE_SIZE = 50


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    recent = list(security_events_for_user(user=user)[:5])
    return render_account(
        request, "identity/account.html", {"recent_events": recent}, active="overview"
    )


@login_required
@require_http_methods(GET_POST)
def profile(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    initial = {
        "display_name": user.display_name,
        "phone": user.phone,
        "country": user.country,
        "preferred_language": user.preferred_language,
        "time_zone": user.time_zone,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.profile_update(
                user=user,
                display_name=data["display_name"],
                phone=data["phone"],
                country=data["country"],
                preferred_language=data["preferred_language"],
                time_zone=data["time_zone"],
                client=client(request),
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            messages.success(request, gettext("Your profile was saved."))
            response = redirect("identity:profile")
            return set_language_cookie(response, user.preferred_language)
    return render_account(request, "identity/profile.html", {"form": form}, active="profile")


@never_cache
@login_required
@require_http_methods(GET_POST)
def email_change(request: HttpRequest) -> HttpResponse:
    here = reverse("identity:email_change")
    if step_up_needed(request, StepUpAction.CHANGE_EMAIL):
        return step_up_redirect(request, action=StepUpAction.CHANGE_EMAIL.value, next_url=here)
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_email = form.cleaned_data["new_email"]
        try:
            services.email_change_request(
                user=current_user(request),
                new_email=new_email,
                holder=holder(request),
                client=client(request),
            )
        except StepUpRequired as exc:
            return redirect_for_step_up(request, exc, here)
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            return render_account(
                request,
                "identity/email_change_sent.html",
                {"new_email": new_email.strip()},
                active="profile",
            )
    return render_account(request, "identity/email_change.html", {"form": form}, active="profile")


@never_cache
@require_http_methods(GET_POST)
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        pending = email_token_check(secret=token, purpose=TokenPurpose.EMAIL_CHANGE)
    except OkpayError as exc:
        return render_page(request, "identity/link_invalid.html", {"error": exc}, status=400)
    if request.method == "POST":
        try:
            services.email_change_confirm(secret=token, client=client(request))
        except OkpayError as exc:
            return render_page(request, "identity/link_invalid.html", {"error": exc}, status=400)
        return render_page(request, "identity/email_change_done.html", {"new_email": pending.email})
    return render_page(request, "identity/email_change_confirm.html", {"new_email": pending.email})


@never_cache
@login_required
@sensitive_post_parameters("current_password", "new_password")
@require_http_methods(GET_POST)
def password_change(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    here = reverse("identity:password_change")
    if totp_enabled(user=user) and step_up_needed(request, StepUpAction.CHANGE_PASSWORD):
        return step_up_redirect(request, action=StepUpAction.CHANGE_PASSWORD.value, next_url=here)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ended = services.password_change(
                request=request,
                user=user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                holder=holder(request),
                client=client(request),
            )
        except StepUpRequired as exc:
            return redirect_for_step_up(request, exc, here)
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            text = gettext("Your password was changed.")
            if ended:
                text += " " + gettext("Your other sessions were signed out.")
            messages.success(request, text)
            return redirect("identity:account")
    return render_account(
        request, "identity/password_change.html", {"form": form}, active="password"
    )


@never_cache
@login_required
@require_GET
def two_factor(request: HttpRequest) -> HttpResponse:
    return render_account(request, "identity/two_factor.html", active="two_factor")


@never_cache
@login_required
@require_http_methods(GET_POST)
def two_factor_enable(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    try:
        enrolment = services.totp_enroll_begin(user=user)
    except TotpAlreadyEnabled:
        return redirect("identity:two_factor")
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enroll_confirm(
                user=user, code=form.cleaned_data["code"], client=client(request)
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            return render_account(
                request,
                "identity/recovery_codes.html",
                {"codes": codes, "first_time": True},
                active="two_factor",
            )
    return render_account(
        request,
        "identity/two_factor_enable.html",
        {"form": form, "enrolment": enrolment},
        active="two_factor",
    )


@never_cache
@login_required
@sensitive_post_parameters("password", "code")
@require_http_methods(GET_POST)
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not totp_enabled(user=user):
        return redirect("identity:two_factor")
    form = TotpDisableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_disable(
                user=user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
                client=client(request),
            )
        except TotpNotEnabled:
            return redirect("identity:two_factor")
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            messages.success(request, gettext("Two-factor authentication is now off."))
            return redirect("identity:two_factor")
    return render_account(
        request, "identity/two_factor_disable.html", {"form": form}, active="two_factor"
    )


@never_cache
@login_required
@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    here = reverse("identity:two_factor")
    try:
        codes = services.recovery_codes_regenerate(
            user=current_user(request), holder=holder(request), client=client(request)
        )
    except StepUpRequired as exc:
        return redirect_for_step_up(request, exc, here)
    except OkpayError as exc:
        messages.error(request, str(exc.message))
        return redirect(here)
    return render_account(
        request,
        "identity/recovery_codes.html",
        {"codes": codes, "first_time": False},
        active="two_factor",
    )


@never_cache
@login_required
@sensitive_post_parameters("password", "code")
@require_http_methods(GET_POST)
def step_up(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    next_url = safe_next(request, reverse("identity:account"))
    action = (request.GET.get("action") or request.POST.get("action") or "")[:40]
    method = step_up_method(user=user)
    form: CodeForm | StepUpPasswordForm = (
        CodeForm(request.POST or None)
        if method == "totp"
        else StepUpPasswordForm(request.POST or None)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.step_up_verify(
                user=user,
                holder=holder(request),
                client=client(request),
                code=form.cleaned_data.get("code", ""),
                password=form.cleaned_data.get("password", ""),
                action=action,
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            return redirect(next_url)
    return render_account(
        request,
        "identity/step_up.html",
        {"form": form, "method": method, "next": next_url, "action": action},
        active="",
    )


@never_cache
@login_required
@require_GET
def devices(request: HttpRequest) -> HttpResponse:
    sessions = user_sessions_active(user=current_user(request))
    return render_account(
        request,
        "identity/devices.html",
        {"sessions": sessions, "current_key": request.session.session_key},
        active="devices",
    )


@login_required
@require_POST
def device_end(request: HttpRequest, session_id: int) -> HttpResponse:
    try:
        row = services.session_end(
            user=current_user(request), session_id=session_id, client=client(request)
        )
    except NotFound as exc:
        raise Http404("No such session.") from exc
    if row.session_key == request.session.session_key:
        django_logout(request)
        return redirect("identity:login")
    messages.success(request, gettext("The session was ended."))
    return redirect("identity:devices")


@login_required
@require_POST
def devices_end_others(request: HttpRequest) -> HttpResponse:
    ended = services.sessions_end_others(
        user=current_user(request),
        current_session_key=request.session.session_key,
        client=client(request),
    )
    messages.success(request, gettext("Other sessions ended: %(count)d.") % {"count": ended})
    return redirect("identity:devices")


@never_cache
@login_required
@require_GET
def tokens(request: HttpRequest) -> HttpResponse:
    rows = personal_tokens_for_user(user=current_user(request))
    return render_account(request, "identity/tokens.html", {"tokens": rows}, active="tokens")


@never_cache
@login_required
@require_http_methods(GET_POST)
def token_new(request: HttpRequest) -> HttpResponse:
    here = reverse("identity:token_new")
    if step_up_needed(request, StepUpAction.CREATE_API_TOKEN):
        return step_up_redirect(request, action=StepUpAction.CREATE_API_TOKEN.value, next_url=here)
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.personal_token_create(
                user=current_user(request),
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                holder=holder(request),
                client=client(request),
            )
        except StepUpRequired as exc:
            return redirect_for_step_up(request, exc, here)
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            return render_account(
                request, "identity/token_created.html", {"issued": issued}, active="tokens"
            )
    return render_account(request, "identity/token_new.html", {"form": form}, active="tokens")


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.personal_token_revoke(
            user=current_user(request), token_id=token_id, client=client(request)
        )
    except NotFound as exc:
        raise Http404("No such token.") from exc
    messages.success(request, gettext("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("identity:tokens")


@never_cache
@login_required
@require_GET
def security_log(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(security_events_for_user(user=current_user(request)), LOG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    labels = dict(SecurityEventKind.choices)
    return render_account(
        request, "identity/security_log.html", {"page": page, "labels": labels}, active="log"
    )
