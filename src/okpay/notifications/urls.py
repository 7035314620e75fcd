from django.urls import path

from okpay.notifications import views

app_name = "notifications"

urlpatterns = [
    path("dev/mailbox/", views.mailbox_index, name="mailbox"),
    path("dev/mailbox/<str:message_id>/", views.mailbox_detail, name="mailbox_message"),
]
