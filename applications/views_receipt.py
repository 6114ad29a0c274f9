"""Download of the stored receipt (récépissé de dépôt) by the members of the organisation."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from applications.receipt import get_receipt, receipt_filename
from applications.selectors import get_dossier_for_member

logger = logging.getLogger(__name__)

PENDING = "Le récépissé est en cours de préparation, réessayez dans quelques instants."
NOT_SUBMITTED = "Ce dossier n'a pas encore été déposé : il n'a pas de récépissé."
UNAVAILABLE = (
    "Le récépissé est momentanément indisponible. Réessayez plus tard ; si le problème "
    "persiste, contactez l'assistance du portail."
)


@login_required
@require_GET
def receipt_download(request, pk: int):
    """Serve the stored PDF as is; never render it here (an official document is generated once)."""
    dossier = get_dossier_for_member(request.user, pk)
    if dossier.submitted_at is None:
        messages.info(request, NOT_SUBMITTED)
        return redirect("applications:detail", pk=dossier.pk)
    receipt = get_receipt(dossier)
    if receipt is None:
        messages.info(request, PENDING)
        return redirect("applications:detail", pk=dossier.pk)
    try:
        handle = receipt.file.open("rb")
    except FileNotFoundError:
        logger.error("Receipt file of dossier %s is missing: %s", dossier.pk, receipt.file.name)
        messages.error(request, UNAVAILABLE)
        return redirect("applications:detail", pk=dossier.pk)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=receipt_filename(dossier),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
