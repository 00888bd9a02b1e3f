from django.urls import path

from essays.views import autosave, catalogue, classes, essay, my_work, redraft, writing

app_name = "essays"

urlpatterns = [
    path("", catalogue.catalogue, name="catalogue"),
    path("essays/<slug:slug>/", essay.essay_detail, name="detail"),
    path("essays/<slug:slug>/attempt-first/", essay.attempt_first, name="attempt_first"),
    path("essays/<slug:slug>/respond/", writing.respond, name="respond"),
    path("essays/<slug:slug>/respond/autosave/", autosave.autosave, name="autosave"),
    path("essays/<slug:slug>/respond/submit/", writing.submit, name="submit"),
    path("essays/<slug:slug>/respond/new/", writing.new_attempt, name="new_attempt"),
    path("classes/", classes.class_list, name="classes"),
    path("classes/join/", classes.join, name="join_class"),
    path("progress/", classes.progress, name="progress"),
    path("responses/", my_work.response_list, name="response_list"),
    path("responses/<int:pk>/", my_work.response_detail, name="response_detail"),
    path("responses/<int:pk>/compare/", my_work.response_compare, name="response_compare"),
    path("responses/<int:pk>/redraft/", redraft.start_redraft, name="start_redraft"),
    path("responses/<int:pk>/replies/", redraft.target_replies, name="target_replies"),
    path(
        "responses/<int:pk>/changes/<int:earlier_pk>/",
        my_work.response_changes,
        name="response_changes",
    ),
]
