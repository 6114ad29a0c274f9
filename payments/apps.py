from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Paiements"

    def ready(self) -> None:
        from payments import audiences

        audiences.register()  # the agents' bulk messages can reach awards not yet claimed
