from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API et webhooks"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from api import schema  # noqa: F401  (registers the OpenAPI authentication extension)
        from api.webhooks import on_transition_logged
        from applications.models import DossierTransitionLog

        post_save.connect(
            on_transition_logged,
            sender=DossierTransitionLog,
            dispatch_uid="api_webhooks_on_transition",
        )
