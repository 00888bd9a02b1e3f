from django.contrib import admin
from django.urls import include, path

from studyhub.views import healthz, signup

admin.site.site_header = "StudyHub administration"
admin.site.site_title = "StudyHub admin"
admin.site.index_title = "Library and marking"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/signup/", signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("healthz", healthz, name="healthz"),
    path("", include("essays.urls")),
]
