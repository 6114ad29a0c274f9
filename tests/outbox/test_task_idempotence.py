"""A worker killed in the middle of a PDF leaves one PDF in the end, not zero or two."""

from unittest import mock

import pytest

from applications.models import DossierDocument
from instruction import services
from instruction.documents import ensure_document
from instruction.tasks import generate_document

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for the process being killed: not an Exception, nothing catches it on the way."""


def test_a_worker_killed_mid_pdf_then_redelivered_leaves_one_pdf(submitted, agent_of, settings):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    services.dossier_take(user=agent, dossier=dossier)
    services.dossier_declare_admissible(
        user=agent, dossier=dossier
    )  # on_commit not run: no PDF yet
    real_save = DossierDocument.save
    with (
        mock.patch.object(DossierDocument, "save", side_effect=WorkerKilled),
        pytest.raises(WorkerKilled),
    ):
        ensure_document(dossier, "acknowledgment")
    assert not DossierDocument.objects.filter(dossier=dossier).exists()
    stored = (
        list((settings.PRIVATE_MEDIA_ROOT / "documents").rglob("*.pdf"))
        if (settings.PRIVATE_MEDIA_ROOT / "documents").exists()
        else []
    )
    assert stored == []  # the half-written PDF was removed
    assert DossierDocument.save is real_save
    # acks_late: the broker redelivers the message; the task runs again, then once more.
    generate_document.apply(kwargs={"dossier_id": dossier.pk, "kind": "acknowledgment"})
    generate_document.apply(kwargs={"dossier_id": dossier.pk, "kind": "acknowledgment"})
    assert DossierDocument.objects.filter(dossier=dossier, kind="acknowledgment").count() == 1
    assert len(list((settings.PRIVATE_MEDIA_ROOT / "documents").rglob("*.pdf"))) == 1


def test_side_effect_tasks_acknowledge_late():
    from applications.scanning import scan_attachment
    from applications.tasks import after_submission
    from payments.tasks import generate_recovery_order

    for task in (after_submission, generate_document, scan_attachment, generate_recovery_order):
        assert task.acks_late, task.name
