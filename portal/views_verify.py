"""The public page that checks a document issued by the portal (« Vérifier un document »)."""

from allauth.core import ratelimit
from django.contrib import messages
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from portal import verification
from portal.verification import (
    FileForm,
    ReferenceForm,
    verify_bytes,
    verify_reference,
)

TOO_MANY = (
    "Trop de vérifications en peu de temps depuis votre connexion. "
    "Patientez une minute avant de réessayer."
)
TOO_BIG = (
    "Cet envoi dépasse 10 Mo : ce n'est pas un document émis par le portail. "
    "Déposez uniquement le document PDF à vérifier."
)
# Room for the form fields and the multipart boundaries around the one document.
BODY_MARGIN = 64 * 1024


@csrf_exempt  # only to set the upload handler before the CSRF check reads the body
@require_http_methods(["GET", "POST"])
def verify_document(request):
    """By reference and SHA-256, or by the file (hashed in memory, never stored).

    The page is public: a body too large and an address over its rate are refused before
    anything of the body is read."""
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > verification.MAX_UPLOAD + BODY_MARGIN:
            return _refused(request, TOO_BIG, status=413)
        if not ratelimit.consume(request, action="verify_document"):
            return _refused(request, TOO_MANY, status=429)
        if request.content_type == "multipart/form-data":  # a urlencoded form is parsed already
            request.upload_handlers = [
                verification.InMemoryHashUpload(request, field_name="file-document")
            ]
    return _verify_document(request)


def _refused(request, message, *, status):
    """The page with its empty forms and the reason, the body left unread."""
    messages.error(request, message)
    context = {
        "by_reference": ReferenceForm(prefix="ref"),
        "by_file": FileForm(prefix="file"),
        "verdict": None,
        "mode": "",
    }
    return render(request, "portal/verify_document.html", context, status=status)


@csrf_protect
def _verify_document(request):
    by_reference, by_file = ReferenceForm(prefix="ref"), FileForm(prefix="file")
    verdict = None
    if request.method == "POST":
        if request.POST.get("mode") == "file":
            by_file = FileForm(request.POST, request.FILES, prefix="file")
            if by_file.is_valid():
                verdict = verify_bytes(by_file.cleaned_data["document"].read())
        else:
            by_reference = ReferenceForm(request.POST, prefix="ref")
            if by_reference.is_valid():
                data = by_reference.cleaned_data
                verdict = verify_reference(data["reference"], data["sha256"])
    context = {
        "by_reference": by_reference,
        "by_file": by_file,
        "verdict": verdict,
        "mode": request.POST.get("mode", ""),
    }
    return render(request, "portal/verify_document.html", context)
