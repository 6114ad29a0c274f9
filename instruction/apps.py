from django.apps import AppConfig


class InstructionConfig(AppConfig):
    name = "instruction"
    verbose_name = "Instruction"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from applications.models import Dossier, DossierTransitionLog
        from instruction import deadlines  # noqa: F401  (daily task)
        from instruction.models import Review
        from instruction.queue_cache import queue_changed, review_changed

        # The queue's cached counters follow every state change and every review change.
        post_save.connect(queue_changed, sender=DossierTransitionLog, dispatch_uid="queue-log")
        post_save.connect(review_changed, sender=Review, dispatch_uid="queue-review")
        post_delete.connect(queue_changed, sender=Review, dispatch_uid="queue-review-del")
        post_delete.connect(queue_changed, sender=Dossier, dispatch_uid="queue-dossier-del")
