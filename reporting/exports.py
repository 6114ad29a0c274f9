"""Exports as jobs: the agent asks, a Celery worker writes the file, a progress bar shows how far
it is, and the file waits in the private storage for EXPORT_RETENTION_HOURS.

The rows are read in chunks from one query and written as they come (CSV lines; openpyxl's
write-only XLSX) into a temporary file, then stored through the storage API: memory stays flat
whatever the number of rows. The file is handed only to the person who asked for it, after the
same permission check as the queue itself (agents and administrators of the Region).
"""

from __future__ import annotations

import datetime
import logging
import tempfile

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from accounts.enums import Role
from audit.services import audit_record
from instruction.exports import csv_lines, write_xlsx
from instruction.queue import QueueFilter, Scope, export_rows, queue_list
from outbox.services import enqueue
from reporting.models import ExportJob

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000  # rows between two progress updates
DUPLICATE_WINDOW = datetime.timedelta(minutes=2)


def retention() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "EXPORT_RETENTION_HOURS", 24))


def queue_scope(user) -> Scope:
    """The queue's own permission: agents and administrators only (a 403 for anyone else)."""
    if not (user.has_role(Role.AGENT) or user.has_role(Role.ADMIN)):
        raise PermissionDenied("La file d'instruction est réservée aux instructeurs de la Région.")
    return Scope.for_user(user)


MAX_PARAM_LENGTH = 200  # characters of one filter value
MAX_PARAM_VALUES = 50  # values of one filter (several statuses, labels…)


def queue_param_names() -> set[str]:
    """The keys the queue reads: its filters, the tab and the sort (never the page)."""
    return {*QueueFilter.base_filters, "tab", "sort"}


def queue_params(query: QueryDict) -> dict[str, list[str]]:
    """The filters of the list being exported, as the queue page reads them, capped in length.

    A NUL byte (which PostgreSQL's jsonb refuses) is a French ValidationError."""
    names = queue_param_names()
    params = {}
    for key in query:
        if key not in names:
            continue
        values = query.getlist(key)[:MAX_PARAM_VALUES]
        if any("\x00" in value for value in values):
            raise ValidationError(
                "Les filtres contiennent un caractère invalide : reprenez-les depuis la liste."
            )
        params[key] = [value[:MAX_PARAM_LENGTH] for value in values]
    return params


def export_start(*, user, kind: str, fmt: str, params: dict) -> ExportJob:
    """Queue an export job; the same request twice within two minutes gives the same job."""
    queue_scope(user)
    if fmt not in ExportJob.Format.values or kind not in ExportJob.Kind.values:
        raise ValueError(f"Unknown export {kind}/{fmt}")
    with transaction.atomic():
        recent = (
            ExportJob.objects.select_for_update()
            .filter(
                user=user,
                kind=kind,
                fmt=fmt,
                params=params,
                created_at__gte=timezone.now() - DUPLICATE_WINDOW,
                status__in=[
                    ExportJob.Status.PENDING,
                    ExportJob.Status.RUNNING,
                    ExportJob.Status.DONE,
                ],
            )
            .first()
        )
        if recent:
            return recent
        job = ExportJob.objects.create(user=user, kind=kind, fmt=fmt, params=params)
        audit_record(actor=user, action="export_start", obj=job, data={"format": fmt, **params})
        enqueue(run_export, job_id=str(job.pk))
    return job


def job_for_user(user, job_id) -> ExportJob:
    """The job, for the person who asked for it and who still holds the queue's role."""
    queue_scope(user)
    job = ExportJob.objects.filter(pk=job_id, user=user).first()
    if job is None:
        from django.http import Http404

        raise Http404("Export introuvable.")
    return job


def _rows_with_progress(job: ExportJob, rows):
    for count, row in enumerate(rows, start=1):
        if count % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(done=count)
        yield row


def write_export(job: ExportJob) -> None:
    """Write the job's file into the storage (flat memory), recording the progress."""
    scope = queue_scope(job.user)  # the rights of today, not those of the request
    query = QueryDict(mutable=True)
    for key, values in job.params.items():
        query.setlist(key, values)
    result = queue_list(scope=scope, params=query)
    total = result.queryset.count()
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, total=total, done=0)
    rows = _rows_with_progress(job, export_rows(result.queryset))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"dossiers-{result.tab}-{stamp}.{job.fmt}"
    with tempfile.TemporaryFile(suffix=f".{job.fmt}") as output:
        if job.fmt == ExportJob.Format.CSV:
            for line in csv_lines(rows):
                output.write(line.encode("utf-8"))
        else:
            write_xlsx(rows, output)
        output.seek(0)
        job.file.save(f"{job.pk}.{job.fmt}", File(output), save=False)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        done=total,
        file=job.file.name,
        filename=filename,
        finished_at=now,
        expires_at=now + retention(),
    )


@shared_task(acks_late=True)
def run_export(job_id: str) -> str:
    """Celery: write one export; safe to run twice (a finished job is left alone)."""
    claimed = ExportJob.objects.filter(
        pk=job_id, status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING]
    ).first()
    if claimed is None:
        return "skipped"
    try:
        write_export(claimed)
    except PermissionDenied:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, error="Droits insuffisants au moment de l'export."
        )
        return "refused"
    except Exception as exc:
        logger.exception("Export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:255]
        )
        raise
    return "done"


@shared_task(acks_late=True)
def purge_exports() -> int:
    """Beat: delete the files of expired exports (the job row stays, marked expired)."""
    purged = 0
    expired = ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lt=timezone.now())
    for job in expired.iterator():
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        purged += 1
    return purged
