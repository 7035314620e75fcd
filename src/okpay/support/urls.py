from django.urls import path

from okpay.support import views

app_name = "support"

urlpatterns = [
    path("help/", views.home, name="home"),
    path("help/search/", views.search, name="search"),
    path("help/contact/", views.contact, name="contact"),
    path("help/check/", views.check, name="check"),
    path("help/c/<slug:slug>/", views.category, name="category"),
    path("help/a/<slug:slug>/", views.article, name="article"),
    path("help/a/<slug:slug>/vote/", views.article_vote_view, name="article_vote"),
    path("help/preview/", views.markdown_preview, name="markdown_preview"),
]
