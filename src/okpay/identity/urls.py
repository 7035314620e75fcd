from django.urls import path

from okpay.identity import views

app_name = "identity"

urlpatterns = [
    path("", views.account, name="account"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.login, name="login"),
    path("login/2fa/", views.login_2fa, name="login_2fa"),
    path("login/new-password/", views.login_new_password, name="login_new_password"),
    path("logout/", views.logout, name="logout"),
    path("verify/resend/", views.verify_email_resend, name="verify_email_resend"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("password/forgot/", views.password_forgot, name="password_forgot"),
    path("password/reset/<str:token>/", views.password_reset, name="password_reset"),
    path("password/strength/", views.password_strength, name="password_strength"),
    path("password/", views.password_change, name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("email/", views.email_change, name="email_change"),
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/enable/", views.two_factor_enable, name="two_factor_enable"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("two-factor/recovery-codes/", views.recovery_codes_regenerate, name="recovery_codes"),
    path("confirm/", views.step_up, name="step_up"),
    path("devices/", views.devices, name="devices"),
    path("devices/end-others/", views.devices_end_others, name="devices_end_others"),
    path("devices/<int:session_id>/end/", views.device_end, name="device_end"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/new/", views.token_new, name="token_new"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("security-log/", views.security_log, name="security_log"),
    path("support-code/", views.support_code, name="support_code"),
    path("agent/verify-code/", views.agent_verify_code, name="agent_verify_code"),
]
