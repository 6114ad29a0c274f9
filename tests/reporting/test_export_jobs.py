"""Exports of the agents' queue as Celery jobs: the file is written by the worker with its
progress, kept for a limited time in the private storage, handed only to the agent who asked."""

import csv
import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import RoleAssignment
from reporting import exports
from reporting.models import ExportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(agent_of):
    return agent_of("HDF")


@pytest.fixture
def dossiers(submitted):
    return [submitted("INAC") for _ in range(3)] + [submitted("PDL-IN")]


def start(client, django_capture_on_commit_callbacks, fmt="csv", **params):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:queue_export"), {"format": fmt, "tab": "all", **params}
        )
    assert response.status_code == 302
    return ExportJob.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def download(client, job) -> bytes:
    response = client.get(reverse("reporting:export_file", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_csv_export_is_written_by_the_worker_with_its_progress(
    client, agent, dossiers, django_capture_on_commit_callbacks, settings
):
    client.force_login(agent)
    page = client.get(reverse("reporting:queue_export"), {"format": "csv", "tab": "all"})
    assert "Préparer le fichier CSV" in page.content.decode()
    job = start(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.total == job.done == 3  # HDF only
    assert job.percent == 100
    assert default_storage.exists(job.file.name)  # the private storage, never a public URL
    assert job.expires_at - job.finished_at == datetime.timedelta(
        hours=settings.EXPORT_RETENTION_HOURS
    )
    content = download(client, job).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert lines[0][0] == "Numéro" and len(lines) == 4
    assert sorted(line[0] for line in lines[1:]) == sorted(d.number for d in dossiers[:3])
    status = client.get(reverse("reporting:export", args=[job.pk])).content.decode()
    assert "Prêt" in status and 'value="100"' in status and job.filename in status


def test_xlsx_export_has_every_row(client, agent, dossiers, django_capture_on_commit_callbacks):
    client.force_login(agent)
    job = start(client, django_capture_on_commit_callbacks, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(download(client, job)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Numéro" and len(rows) == 4


def test_progress_is_recorded_while_writing(
    client, agent, dossiers, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    seen = []
    original = exports.csv_lines

    def watching(rows):
        for line in original(rows):
            seen.append(ExportJob.objects.values_list("status", "done", "total").get())
            yield line

    monkeypatch.setattr(exports, "csv_lines", watching)
    client.force_login(agent)
    start(client, django_capture_on_commit_callbacks)
    assert ("running", 1, 3) in seen and ("running", 2, 3) in seen


def test_a_double_click_makes_one_job(client, agent, dossiers, django_capture_on_commit_callbacks):
    client.force_login(agent)
    first = start(client, django_capture_on_commit_callbacks)
    second = start(client, django_capture_on_commit_callbacks)
    assert first.pk == second.pk and ExportJob.objects.count() == 1


def test_only_the_agent_who_asked_gets_the_file(
    client, agent, agent_of, dossiers, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    job = start(client, django_capture_on_commit_callbacks)
    client.force_login(agent_of("HDF"))  # a colleague of the same region
    assert client.get(reverse("reporting:export_file", args=[job.pk])).status_code == 404
    assert client.get(reverse("reporting:export", args=[job.pk])).status_code == 404


def test_an_agent_who_lost_the_role_gets_403(
    client, agent, dossiers, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    job = start(client, django_capture_on_commit_callbacks)
    RoleAssignment.objects.filter(user=agent).delete()
    assert client.get(reverse("reporting:export_file", args=[job.pk])).status_code == 403


def test_an_applicant_cannot_start_an_export(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("reporting:queue_export"), {"format": "csv"})
    assert response.status_code == 403
    assert not ExportJob.objects.exists()


def test_expired_files_are_purged(client, agent, dossiers, django_capture_on_commit_callbacks):
    client.force_login(agent)
    job = start(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    name = job.file.name
    assert exports.purge_exports() == 0  # still within its retention
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(1))
    assert exports.purge_exports() == 1
    assert not default_storage.exists(name)
    response = client.get(reverse("reporting:export_file", args=[job.pk]))
    assert response.status_code == 302  # back to the status page, which says it expired
    assert "plus conservé" in client.get(response["Location"]).content.decode()


def test_only_the_queues_filters_are_kept_and_their_length_capped(client, agent, dossiers):
    client.force_login(agent)
    data = {"format": "csv", "tab": "all", "q": "x" * 5000, "junk": "y" * 100000}
    client.post(reverse("reporting:queue_export"), data)
    job = ExportJob.objects.get()
    assert set(job.params) == {"tab", "q"}
    assert len(job.params["q"][0]) == exports.MAX_PARAM_LENGTH


def test_a_nul_byte_in_the_filters_is_refused_in_french(client, agent, dossiers):
    client.force_login(agent)
    response = client.post(
        reverse("reporting:queue_export"), {"format": "csv", "q": "a\x00b"}, follow=True
    )
    assert response.status_code == 200
    assert not ExportJob.objects.exists()
    assert "caractère invalide" in response.content.decode()
