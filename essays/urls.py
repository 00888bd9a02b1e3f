from django.urls import path

from essays import views

app_name = "essays"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("essays/<slug:slug>/", views.essay_detail, name="detail"),
]
