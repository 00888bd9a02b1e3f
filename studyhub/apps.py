from django.apps import AppConfig


class StudyHubConfig(AppConfig):
    """The project's own site-wide parts; it has no models."""

    name = "studyhub"
    verbose_name = "StudyHub"

    def ready(self) -> None:
        from studyhub import middleware  # noqa: F401  (connects the login activity stamp)
