from django.urls import path

from essays import views

app_name = "essays"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("essays/<slug:slug>/", views.essay_detail, name="detail"),
    path("essays/<slug:slug>/attempt-first/", views.attempt_first, name="attempt_first"),
    path("essays/<slug:slug>/respond/", views.respond, name="respond"),
    path("essays/<slug:slug>/respond/autosave/", views.autosave, name="autosave"),
    path("essays/<slug:slug>/respond/submit/", views.submit, name="submit"),
    path("essays/<slug:slug>/respond/new/", views.new_attempt, name="new_attempt"),
    path("responses/", views.response_list, name="response_list"),
    path("responses/<int:pk>/", views.response_detail, name="response_detail"),
    path("responses/<int:pk>/compare/", views.response_compare, name="response_compare"),
    path(
        "responses/<int:pk>/changes/<int:earlier_pk>/",
        views.response_changes,
        name="response_changes",
    ),
]
