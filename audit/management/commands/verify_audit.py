from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand

from audit.anchors import AnchorFileInvalid, anchor_path, latest_anchor
from audit.models import AuditEvent
from audit.verification import compare_with_anchor, entries, walk_chain


class Command(BaseCommand):
    help = (
        "Vérifie le chaînage des empreintes du journal d'audit, puis sa fin contre la dernière "
        "ancre signée (AUDIT_ANCHOR_PATH) ; signale le premier maillon rompu ou les entrées "
        "manquantes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet", action="store_true", help="N'affiche rien si le journal est intègre."
        )
        parser.add_argument(
            "--require-anchor",
            action="store_true",
            help="Échoue aussi quand aucune ancre signée n'existe encore.",
        )

    def fail(self, count: int, message: str):
        self.stderr.write(f"Journal d'audit NON intègre après {count} événements vérifiés.")
        self.stderr.write(message)
        raise SystemExit(1)

    def handle(self, *args, quiet=False, require_anchor=False, **options):
        try:
            anchor = latest_anchor()
        except AnchorFileInvalid as exc:
            self.fail(0, f"Ancres signées invalides : {exc}")
        except ImproperlyConfigured as exc:
            self.fail(0, f"Les ancres signées ne peuvent pas être vérifiées : {exc}")
        events = AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
        walk = walk_chain(events, anchored_count=anchor.count if anchor else 0)
        if walk.broken:
            self.fail(walk.count, walk.broken)
        if anchor is None:
            message = (
                f"Aucune ancre signée dans {anchor_path()} : la fin du journal ne peut pas être "
                "vérifiée (lancez « python manage.py anchor_audit »)."
            )
            if require_anchor:
                self.fail(walk.count, message)
            self.stderr.write(f"Attention : {message}")
        else:
            mismatch = compare_with_anchor(walk, anchor)
            if mismatch:
                self.fail(walk.count, mismatch)
        if not quiet:
            covered = (
                f" ; la dernière ancre signée du {anchor.at_label} ({entries(anchor.count)}) "
                "est respectée"
                if anchor
                else ""
            )
            self.stdout.write(
                f"Journal d'audit intègre : {walk.count} événements vérifiés{covered}."
            )
