from django.apps import AppConfig


class EssaysConfig(AppConfig):
    name = "essays"
    verbose_name = "Essay library"

    def ready(self) -> None:
        from essays import signals  # noqa: F401  (connects the cache invalidation)
