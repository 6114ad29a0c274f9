"""Checks of the audit journal: the hash chain row by row, then its head against the last anchor."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from audit.anchors import Anchor
from audit.models import AuditEvent, compute_event_hash


def describe(event: AuditEvent) -> str:
    at = timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M:%S") if event.at else "?"
    return f"événement n° {event.pk} du {at} ({event.action})"


@dataclass
class ChainWalk:
    count: int = 0  # rows checked before the first break (all rows when intact)
    broken: str | None = None  # French description of the first break
    last: AuditEvent | None = None  # last row checked
    at_anchor: AuditEvent | None = None  # the row at the anchored position, if reached


def walk_chain(events: Iterable[AuditEvent], *, anchored_count: int = 0) -> ChainWalk:
    """Walk `events` in id order: recompute each hash and link; stop at the first break."""
    walk = ChainWalk()
    for event in events:
        expected_prev = walk.last.hash if walk.last else ""
        if compute_event_hash(event) != event.hash:
            walk.broken = (
                f"Contenu altéré : {describe(event)}. Son empreinte enregistrée ne correspond "
                "plus à son contenu (une donnée a été modifiée après l'enregistrement)."
            )
            return walk
        if event.prev_hash != expected_prev:
            if walk.last is None:
                where = "il devrait être le premier du journal mais suit un événement absent"
            else:
                where = f"il ne suit pas l'{describe(walk.last)}"
            walk.broken = (
                f"Chaînage rompu : {describe(event)} ; {where}. Un événement a été supprimé, "
                "inséré ou modifié entre les deux."
            )
            return walk
        walk.last = event
        walk.count += 1
        if walk.count == anchored_count:
            walk.at_anchor = event
    return walk


def entries(n: int) -> str:
    return f"{n} entrée" + ("s" if n > 1 else "")


def compare_with_anchor(walk: ChainWalk, anchor: Anchor) -> str | None:
    """French description of how an intact chain disagrees with the last signed anchor, or None."""
    signed = f"la dernière ancre signée du {anchor.at_label} couvrait {entries(anchor.count)}"
    if walk.count < anchor.count:
        missing = anchor.count - walk.count
        after = f"après l'entrée n° {walk.last.pk}" if walk.last else "(le journal est vide)"
        return (
            f"Fin du journal supprimée : il manque {entries(missing)} {after} : {signed} "
            f"(dernière entrée n° {anchor.last_id})."
        )
    event = walk.at_anchor
    if anchor.count and (event is None or event.hash != anchor.last_hash):
        return (
            f"Journal réécrit : l'entrée en position {anchor.count} (n° "
            f"{event.pk if event else '?'}) n'a plus l'empreinte que {signed} "
            f"(entrée n° {anchor.last_id}, empreinte {anchor.last_hash[:12]}…) : des entrées "
            "ont été supprimées puis remplacées."
        )
    return None
