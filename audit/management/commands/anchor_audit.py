from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from audit.anchors import anchor_chain, anchor_path, generate_key_pem
from audit.verification import entries


class Command(BaseCommand):
    help = (
        "Signe la tête du journal d'audit (nombre d'entrées, dernière empreinte, date) avec la "
        "clé AUDIT_SIGNING_KEY et l'ajoute au fichier d'ancres AUDIT_ANCHOR_PATH. Le beat Celery "
        "le fait chaque heure ; à lancer aussi avant et après une opération sur la base."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--generate-key",
            action="store_true",
            help="Affiche une nouvelle clé Ed25519 privée (PEM) à ranger dans le coffre des "
            "secrets, sans rien signer.",
        )

    def handle(self, *args, generate_key=False, **options):
        if generate_key:
            self.stdout.write(generate_key_pem().decode("ascii"), ending="")
            return
        try:
            anchor = anchor_chain()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Ancre n° {anchor.line} ajoutée à {anchor_path()} : {entries(anchor.count)}, "
            f"dernière entrée n° {anchor.last_id or '-'}, signée le {anchor.at_label}."
        )
