"""Public pages: sign-up, sign-in (with 2FA and forced new password), sign-out,
e-mail verification, password reset, the strength meter endpoint, back-office sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import logout as django_logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from okpay.errors import OkpayError
from okpay.identity import services
from okpay.identity.errors import AccountLocked, LoginExpired, RateLimited
from okpay.identity.forms import (
    CodeForm,
    ForgotForm,
    LoginForm,
    NewPasswordForm,
    ResetForm,
    SignupForm,
    form_apply_error,
)
from okpay.identity.models import TokenPurpose, User, normalize_email
from okpay.identity.services import LoginStep
from okpay.identity.services.email_tokens import email_token_check
from okpay.identity.views.common import (
    client,
    current_user,
    render_page,
    safe_next,
    set_language_cookie,
    with_next,
)

GET_POST = ["GET", "POST"]


def _status(exc: OkpayError) -> int:
    return exc.http_status if isinstance(exc, RateLimited) else 200


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(GET_POST)
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("identity:account")
    initial = {
        "preferred_language": "en" if (get_language() or "").startswith("en") else "zh-hans",
        "time_zone": "Asia/Shanghai",
    }
    form = SignupForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.account_signup(
                email=data["email"],
                password=data["password"],
                display_name=data["display_name"],
                phone=data["phone"],
                country=data["country"],
                preferred_language=data["preferred_language"],
                time_zone=data["time_zone"],
                client=client(request),
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
            status = _status(exc)
        else:
            return render_page(
                request, "identity/signup_done.html", {"email": normalize_email(data["email"])}
            )
    return render_page(request, "identity/signup.html", {"form": form}, status=status)


def _after_login(
    request: HttpRequest, outcome: services.LoginOutcome, next_url: str
) -> HttpResponse:
    if outcome.step == LoginStep.TOTP:
        return redirect(with_next(reverse("identity:login_2fa"), next_url))
    if outcome.step == LoginStep.NEW_PASSWORD:
        return redirect(with_next(reverse("identity:login_new_password"), next_url))
    response = HttpResponseRedirect(next_url)
    return set_language_cookie(response, outcome.user.preferred_language)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(GET_POST)
def login(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, reverse("identity:account"))
    if request.user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    form = LoginForm(request.POST or None)
    error: OkpayError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.login_attempt(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
        except OkpayError as exc:
            error = exc
        else:
            return _after_login(request, outcome, next_url)
    return _login_page(request, form=form, error=error, next_url=next_url)


def _login_page(
    request: HttpRequest, *, form: LoginForm, error: OkpayError | None, next_url: str
) -> HttpResponse:
    """The sign-in form; a failure is shown above it, the same way for every cause."""
    return render_page(
        request,
        "identity/login.html",
        {
            "form": form,
            "error": error,
            "locked": isinstance(error, AccountLocked),
            "next": next_url,
        },
        status=_status(error) if error else 200,
    )


@never_cache
@require_http_methods(GET_POST)
def login_2fa(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, reverse("identity:account"))
    try:
        services.login_pending(request=request, step=LoginStep.TOTP)
    except LoginExpired:
        return redirect(with_next(reverse("identity:login"), next_url))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.login_second_factor(request=request, code=form.cleaned_data["code"])
        except AccountLocked as exc:
            return _login_page(request, form=LoginForm(), error=exc, next_url=next_url)
        except OkpayError as exc:
            form_apply_error(form, exc)
            status = _status(exc)
        else:
            return _after_login(request, outcome, next_url)
    return render_page(
        request, "identity/login_2fa.html", {"form": form, "next": next_url}, status=status
    )


@never_cache
@sensitive_post_parameters("new_password")
@require_http_methods(GET_POST)
def login_new_password(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, reverse("identity:account"))
    try:
        pending = services.login_pending(request=request, step=LoginStep.NEW_PASSWORD)
    except LoginExpired:
        return redirect(with_next(reverse("identity:login"), next_url))
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.login_new_password(
                request=request, new_password=form.cleaned_data["new_password"]
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
        else:
            return _after_login(request, outcome, next_url)
    return render_page(
        request,
        "identity/login_new_password.html",
        {"form": form, "next": next_url, "pending_user": pending},
    )


@never_cache
@require_http_methods(GET_POST)
def logout(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.session_sign_out(request=request)
        return redirect("identity:login")
    if not request.user.is_authenticated:
        return redirect("identity:login")
    return render_page(request, "identity/logout.html")


@never_cache
@require_http_methods(GET_POST)
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            user = services.email_verify(secret=token, client=client(request))
        except OkpayError as exc:
            return render_page(request, "identity/link_invalid.html", {"error": exc}, status=400)
        return render_page(request, "identity/verify_email_done.html", {"verified_user": user})
    try:
        email_token_check(secret=token, purpose=TokenPurpose.VERIFY_EMAIL)
    except OkpayError as exc:
        return render_page(request, "identity/link_invalid.html", {"error": exc}, status=400)
    return render_page(request, "identity/verify_email.html")


@login_required
@require_POST
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    try:
        services.email_verification_resend(user=current_user(request), client=client(request))
    except OkpayError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, gettext("We sent a new confirmation link. It is valid for 24 hours.")
        )
    return redirect(safe_next(request, reverse("identity:account")))


@never_cache
@require_http_methods(GET_POST)
def password_forgot(request: HttpRequest) -> HttpResponse:
    form = ForgotForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"], client=client(request)
            )
        except OkpayError as exc:
            form_apply_error(form, exc)
            status = _status(exc)
        else:
            return render_page(
                request,
                "identity/password_forgot_done.html",
                {"email": normalize_email(form.cleaned_data["email"])},
            )
    return render_page(request, "identity/password_forgot.html", {"form": form}, status=status)


@never_cache
@sensitive_post_parameters("new_password", "code")
@require_http_methods(GET_POST)
def password_reset(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = services.password_reset_check(secret=token)
    except OkpayError as exc:
        return render_page(request, "identity/link_invalid.html", {"error": exc}, status=400)
    form = ResetForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(
                secret=token,
                new_password=form.cleaned_data["new_password"],
                code=form.cleaned_data["code"],
                client=client(request),
            )
        except OkpayError as exc:
            if exc.code in ("token_invalid", "token_expired"):
                return render_page(
                    request, "identity/link_invalid.html", {"error": exc}, status=400
                )
            form_apply_error(form, exc)
            status = _status(exc)
        else:
            if request.user.is_authenticated:
                django_logout(request)  # every session ended, this one too
            return render_page(request, "identity/password_reset_done.html")
    return render_page(
        request,
        "identity/password_reset.html",
        {"form": form, "link": link},
        status=status,
    )


@require_POST
def password_strength(request: HttpRequest) -> JsonResponse:
    """The live strength meter: the server-side policy's verdict as JSON."""
    user = request.user if isinstance(request.user, User) else None
    try:
        services.rate_limit_hit(
            scope="strength_ip", key=client(request).ip or "-", limit=120, window_seconds=60
        )
    except RateLimited as exc:
        return JsonResponse({"error": exc.as_dict()}, status=429)
    check = services.password_strength(
        password=request.POST.get("password", ""),
        email=user.email if user else request.POST.get("email", "")[:254],
        display_name=user.display_name if user else request.POST.get("display_name", "")[:100],
    )
    return JsonResponse({"score": check.score, "ok": check.ok, "reasons": check.reasons_as_dicts()})


@require_GET
def admin_login(request: HttpRequest) -> HttpResponse:
    """The back office signs in through the OKpay sign-in page (lockout, 2FA, devices)."""
    next_url = safe_next(request, reverse("admin:index"))
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        return render_page(request, "identity/admin_denied.html", status=403)
    return redirect(with_next(reverse("identity:login"), next_url))


@staff_member_required
@require_POST
def admin_logout(request: HttpRequest) -> HttpResponse:
    services.session_sign_out(request=request)
    return redirect("identity:login")
