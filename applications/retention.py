"""Personal data: unfinished drafts are deleted after the region's retention period, with a notice
two weeks before (Region.draft_retention_days). Submitted dossiers are kept, as public accounting
requires (Region.dossier_retention_years)."""

from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from applications.enums import DossierState
from applications.models import Dossier
from audit.services import audit_record
from outbox.notifications import notify

NOTICE_DAYS = 14


def _recipients(dossier: Dossier) -> list[str]:
    return list(dossier.organisation.memberships.values_list("user__email", flat=True))


@transaction.atomic
def draft_delete(*, dossier: Dossier, reason: str) -> None:
    """Delete a draft with its files; the audit trail keeps that it existed."""
    for attachment in dossier.attachments.all():
        attachment.file.delete(save=False)
    audit_record(
        actor=None,
        action="draft_deleted",
        obj=dossier,
        comment=reason,
        data={"number": dossier.number},
    )
    dossier.delete()


@shared_task(acks_late=True)
def purge_drafts(today: str | None = None) -> dict:
    """Daily: warn the members of drafts about to expire, delete the expired ones."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    warned = deleted = 0
    drafts = Dossier.objects.filter(state=DossierState.DRAFT).select_related("scheme__region")
    for dossier in drafts.iterator(chunk_size=500):
        retention = dossier.scheme.region.draft_retention_days
        last = timezone.localdate(dossier.last_saved_at)
        expires = last + timedelta(days=retention)
        if day >= expires and dossier.deletion_notice_at is not None:
            draft_delete(
                dossier=dossier,
                reason=f"Brouillon inactif depuis le {last:%d/%m/%Y} (conservation : {retention} jours).",
            )
            deleted += 1
        elif day >= expires - timedelta(days=NOTICE_DAYS) and dossier.deletion_notice_at is None:
            with transaction.atomic():
                if not Dossier.objects.filter(
                    pk=dossier.pk, deletion_notice_at__isnull=True
                ).update(deletion_notice_at=timezone.now()):
                    continue
                deadline = max(expires, day + timedelta(days=NOTICE_DAYS))
                notify(
                    "draft_deletion_notice",
                    to=_recipients(dossier),
                    context={
                        "dossier": dossier,
                        "deadline": deadline,
                        "last_saved": last,
                        "url": settings.SITE_URL
                        + reverse("applications:detail", args=[dossier.pk]),
                    },
                    region=dossier.scheme.region,
                )
                audit_record(
                    actor=None,
                    action="draft_deletion_notice",
                    obj=dossier,
                    data={"deadline": deadline.isoformat()},
                )
            warned += 1
    return {"warned": warned, "deleted": deleted}
