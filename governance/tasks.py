"""Celery tasks of rule governance: the impact re-simulation, the notifications."""

import logging

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from governance.models import ImpactRun

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def run_impact(run_id: int) -> None:
    from governance.impact import compute_impact, count_targets

    run = ImpactRun.objects.select_related("version__scheme").filter(pk=run_id).first()
    if run is None or run.status in (ImpactRun.Status.DONE, ImpactRun.Status.RUNNING):
        return
    total = count_targets(run.version, run.on_day)
    ImpactRun.objects.filter(pk=run.pk).update(status=ImpactRun.Status.RUNNING, total=total, done=0)

    def progress(n: int) -> None:
        ImpactRun.objects.filter(pk=run.pk).update(done=F("done") + n)

    try:
        result = compute_impact(run.version, today=run.on_day, progress=progress)
    except Exception as exc:  # shown on the page in French, logged in full
        logger.exception("Impact run %s failed", run.pk)
        ImpactRun.objects.filter(pk=run.pk).update(
            status=ImpactRun.Status.FAILED, error=str(exc)[:1000], finished_at=timezone.now()
        )
        return
    ImpactRun.objects.filter(pk=run.pk).update(
        status=ImpactRun.Status.DONE, result=result, done=total, finished_at=timezone.now()
    )


@shared_task(acks_late=True)
def notify_rule_version(version_id: int, event: str, actor_id: int | None = None) -> None:
    from governance.notifications import send_rule_version_notice

    send_rule_version_notice(version_id=version_id, event=event, actor_id=actor_id)
