"""Download of the official documents of a dossier (acknowledgment, decisions) by its members."""

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from applications.models import Dossier, DossierDocument
from applications.selectors import get_dossier_for_member

logger = logging.getLogger(__name__)


def document_response(dossier: Dossier, document_id: int) -> FileResponse:
    """The stored PDF of one document of `dossier`, as an attachment; 404 for any other one.

    Served as stored, never rendered here: an official document is generated once.
    """
    document = DossierDocument.objects.filter(dossier=dossier, pk=document_id).first()
    if document is None:
        raise Http404("Document introuvable.")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        logger.error("File of document %s is missing: %s", document.reference, document.file.name)
        raise Http404("Document momentanément indisponible.") from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{document.reference}.pdf",
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def official_document_download(request, pk: int, document_id: int):
    dossier = get_dossier_for_member(request.user, pk)
    return document_response(dossier, document_id)
