"""Export jobs of the agents' queue: ask (POST), follow the progress bar, download the file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from common.files import private_file_response
from instruction.exports import XLSX_TYPE
from reporting.exports import export_start, job_for_user, queue_params, queue_scope, retention
from reporting.models import ExportJob


@login_required
@require_http_methods(["GET", "POST"])
def queue_export(request):
    """GET: what will be exported (the queue's filters), with a button; POST: start the job."""
    queue_scope(request.user)
    source = request.POST if request.method == "POST" else request.GET
    fmt = source.get("format", "csv")
    if fmt not in ExportJob.Format.values:
        raise Http404("Format inconnu.")
    try:
        params = queue_params(source)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("instruction:queue")
    if request.method == "POST":
        job = export_start(user=request.user, kind=ExportJob.Kind.QUEUE, fmt=fmt, params=params)
        return redirect("reporting:export", job_id=job.pk)
    back = reverse("instruction:queue") + ("?" + request.GET.urlencode() if request.GET else "")
    return render(
        request,
        "reporting/export_new.html",
        {
            "fmt_label": ExportJob.Format(fmt).label,
            "fmt": fmt,
            "params": [(key, value) for key, values in params.items() for value in values],
            "back": back,
            "hours": int(retention().total_seconds() // 3600),
        },
    )


@login_required
@require_GET
def export_status(request, job_id):
    job = job_for_user(request.user, job_id)
    running = job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING)
    return render(
        request,
        "reporting/export_status.html",
        {"job": job, "running": running, "hours": int(retention().total_seconds() // 3600)},
    )


@login_required
@require_GET
def export_download(request, job_id):
    job = job_for_user(request.user, job_id)  # the same permission as the queue, checked again
    if job.status != ExportJob.Status.DONE or not job.file:
        messages.info(request, "Ce fichier n'est pas disponible : voyez l'état de l'export.")
        return redirect("reporting:export", job_id=job.pk)
    content_type = "text/csv; charset=utf-8" if job.fmt == "csv" else XLSX_TYPE
    return private_file_response(job.file, filename=job.filename, content_type=content_type)
