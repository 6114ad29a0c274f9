"""Download of a dossier's official documents by the agents who may instruct it."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from applications.views_official import document_response
from instruction.selectors import get_dossier_for_agent


@login_required
@require_GET
def agent_document_download(request, pk: int, document_id: int):
    """404 outside the agent's region and schemes, or for a document of another dossier."""
    dossier = get_dossier_for_agent(request.user, pk)
    return document_response(dossier, document_id)
