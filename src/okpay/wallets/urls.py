from django.urls import path

from okpay.wallets import views

app_name = "wallets"

urlpatterns = [
    path("wallet/", views.dashboard, name="dashboard"),
    path("wallet/open/", views.wallet_open, name="wallet_open"),
    path("wallet/top-up/", views.top_up, name="top_up"),
    path("wallet/withdraw/", views.withdraw, name="withdraw"),
    path("wallet/send/", views.send, name="send"),
    path("wallet/international/", views.international, name="international"),
    path("wallet/convert/", views.convert, name="convert"),
    path("wallet/quotes/<int:quote_id>/", views.quote, name="quote"),
    path("wallet/quotes/<int:quote_id>/renew/", views.quote_renew, name="quote_renew"),
    path("wallet/payees/", views.payees, name="payees"),
    path("wallet/payees/add/", views.payee_add, name="payee_add"),
    path("wallet/payees/<int:payee_id>/remove/", views.payee_remove, name="payee_remove"),
    path("wallet/transactions/", views.history, name="history"),
    path("wallet/transactions/<str:reference>/", views.transaction_detail, name="transaction"),
    path("wallet/transactions/<str:reference>/receipt/", views.receipt, name="receipt"),
    path("wallet/statement/", views.statement, name="statement"),
    path("fees/", views.fees, name="fees"),
]
