from django.contrib import admin
from django.urls import include, path

from studyhub.views import (
    LoginView,
    PasswordResetConfirmView,
    PasswordResetView,
    account,
    healthz,
    signup,
)

admin.site.site_header = "StudyHub administration"
admin.site.site_title = "StudyHub admin"
admin.site.index_title = "Library and marking"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/signup/", signup, name="signup"),
    path("accounts/account/", account, name="account"),
    # StudyHub's own versions of three of Django's account pages, ahead of the rest.
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("essays.urls")),
]
