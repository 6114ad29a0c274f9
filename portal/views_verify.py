"""The public page that checks a document issued by the portal (« Vérifier un document »)."""

from allauth.core import ratelimit
from django.contrib import messages
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from portal.verification import (
    FileForm,
    InMemoryHashUpload,
    ReferenceForm,
    verify_bytes,
    verify_reference,
)

TOO_MANY = (
    "Trop de vérifications en peu de temps depuis votre connexion. "
    "Patientez une minute avant de réessayer."
)


@csrf_exempt  # only to set the upload handler before the CSRF check reads the body
@require_http_methods(["GET", "POST"])
def verify_document(request):
    """By reference and SHA-256, or by the file (hashed in memory, never stored)."""
    if request.content_type == "multipart/form-data":  # a urlencoded form is parsed already
        request.upload_handlers = [InMemoryHashUpload(request)]
    return _verify_document(request)


@csrf_protect
def _verify_document(request):
    by_reference, by_file = ReferenceForm(prefix="ref"), FileForm(prefix="file")
    verdict, status = None, 200
    if request.method == "POST":
        if not ratelimit.consume(request, action="verify_document"):
            messages.error(request, TOO_MANY)
            status = 429
        elif request.POST.get("mode") == "file":
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
    return render(request, "portal/verify_document.html", context, status=status)
