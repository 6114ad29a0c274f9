"""Agents read a dossier's files without downloading them, or take the whole dossier as a ZIP.

The preview is served inline (PDF and images only, as detected at upload) for the browser's own
viewer, framed by the review page only: the portal's CSP is kept, with `frame-ancestors 'self'`
for this answer alone, `nosniff` and no caching. The ZIP is streamed (instruction/archive.py) and
its download audited.
"""

from csp.decorators import csp_replace
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from audit.services import audit_record
from instruction.archive import archive_filename, stream_archive
from instruction.selectors import get_dossier_for_agent
from instruction.views import _agent_required

ARCHIVE_DOWNLOADED = "dossier_archive_downloaded"


@login_required
@require_GET
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"]})
def attachment_preview(request, pk: int, attachment_id: int):
    """The file inline, for the review page's preview; 404 for a type the browser should not
    display itself, 403 while the antivirus has not cleared it."""
    _agent_required(request.user)
    dossier = get_dossier_for_agent(request.user, pk)
    attachment = get_object_or_404(dossier.attachments, pk=attachment_id)
    if not attachment.can_be_opened:
        context = {"dossier": dossier, "attachment": attachment, "back_to_review": True}
        return render(request, "applications/attachment_unavailable.html", context, status=403)
    if not attachment.preview_kind:
        raise Http404("Pas d'aperçu pour ce type de fichier.")
    try:
        source = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("Ce fichier est introuvable sur le serveur.") from None
    response = FileResponse(
        source,
        as_attachment=False,
        filename=attachment.original_name,
        content_type=attachment.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def dossier_archive(request, pk: int):
    """Every file of the dossier, its acts, a summary and a manifest with SHA-256, as one ZIP."""
    _agent_required(request.user)
    dossier = get_dossier_for_agent(request.user, pk)
    audit_record(actor=request.user, action=ARCHIVE_DOWNLOADED, obj=dossier)
    response = StreamingHttpResponse(stream_archive(dossier), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_filename(dossier)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
