from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Données ouvertes et statistiques"

    def ready(self) -> None:
        # The award e-mail (instruction/tasks.py) cannot import reporting, a higher layer: it
        # collects extra attachments through instruction's `award_attachments` signal, to which
        # the de minimis attestation is connected here once instruction provides it.
        try:
            from instruction.signals import award_attachments
        except ImportError:
            return
        from reporting.deminimis import award_attachments_receiver

        award_attachments.connect(award_attachments_receiver, dispatch_uid="reporting.de_minimis")
