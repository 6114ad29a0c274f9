from django.core.management.base import BaseCommand
from django.utils import timezone

from audit.models import AuditEvent, compute_event_hash


def _describe(event: AuditEvent) -> str:
    at = timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M:%S") if event.at else "?"
    return f"événement n° {event.pk} du {at} ({event.action})"


def find_broken_link(events) -> tuple[int, str | None]:
    """Walk `events` in id order; return (rows checked, French description of the first break)."""
    previous = None
    count = 0
    for event in events:
        expected_prev = previous.hash if previous else ""
        if compute_event_hash(event) != event.hash:
            return count, (
                f"Contenu altéré : {_describe(event)}. Son empreinte enregistrée ne correspond "
                "plus à son contenu (une donnée a été modifiée après l'enregistrement)."
            )
        if event.prev_hash != expected_prev:
            if previous is None:
                where = "il devrait être le premier du journal mais suit un événement absent"
            else:
                where = f"il ne suit pas l'{_describe(previous)}"
            return count, (
                f"Chaînage rompu : {_describe(event)} ; {where}. Un événement a été supprimé, "
                "inséré ou modifié entre les deux."
            )
        previous = event
        count += 1
    return count, None


class Command(BaseCommand):
    help = (
        "Vérifie le chaînage des empreintes du journal d'audit et signale le premier maillon rompu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet", action="store_true", help="N'affiche rien si le journal est intègre."
        )

    def handle(self, *args, quiet=False, **options):
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
        count, broken = find_broken_link(events)
        if broken:
            self.stderr.write(f"Journal d'audit NON intègre après {count} événements vérifiés.")
            self.stderr.write(broken)
            raise SystemExit(1)
        if not quiet:
            self.stdout.write(f"Journal d'audit intègre : {count} événements vérifiés.")
