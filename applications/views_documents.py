"""« Pièces justificatives » step of the filing journey, and the guarded file download."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from applications import uploads
from applications.attachments import (
    attachment_add,
    attachment_remove,
    documents_overview,
    scan_explanation,
)
from applications.models import Attachment
from applications.selectors import get_dossier_for_member
from applications.views import step_context

STEP = "pieces"


class AttachmentForm(forms.Form):
    document_code = forms.ChoiceField(label="Pièce concernée")
    file = forms.FileField(
        label="Fichier",
        allow_empty_file=True,  # an empty file gets the service's clearer message
        error_messages={"required": "Choisissez un fichier à déposer."},
    )

    def __init__(self, *args, choices, remaining: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_code"].choices = choices
        self.fields["file"].widget.attrs.update(uploads.browser_check_attrs(remaining=remaining))


def _page(request, dossier, form, groups, remaining: int):
    for group in groups:
        for attachment in group["files"]:
            attachment.size_label = uploads.format_bytes_fr(attachment.size)
            attachment.scan_label = scan_explanation(attachment)
    context = step_context(
        dossier,
        STEP,
        groups=groups,
        form=form,
        limits={
            "file": uploads.format_bytes_fr(uploads.max_file_bytes()),
            "dossier": uploads.format_bytes_fr(uploads.max_dossier_bytes()),
            "remaining": uploads.format_bytes_fr(remaining),
            "types": uploads.allowed_types_label(),
            "full": remaining == 0,
        },
    )
    return render(request, "applications/step_documents.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def step_documents(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    groups = documents_overview(dossier)
    choices = [(group["code"], group["label"]) for group in groups]
    remaining = uploads.dossier_remaining_bytes(dossier)
    if request.method != "POST":
        form = AttachmentForm(choices=choices, remaining=remaining)
        return _page(request, dossier, form, groups, remaining)
    form = AttachmentForm(request.POST, request.FILES, choices=choices, remaining=remaining)
    if form.is_valid():
        try:
            attachment = attachment_add(
                user=request.user,
                dossier=dossier,
                document_code=form.cleaned_data["document_code"],
                uploaded_file=form.cleaned_data["file"],
            )
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("applications:step_documents", pk=dossier.pk)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, f"Le fichier « {attachment.original_name} » a été ajouté.")
            return redirect("applications:step_documents", pk=dossier.pk)
    return _page(request, dossier, form, groups, remaining)


@login_required
@require_POST
def attachment_delete(request, pk: int, attachment_id: int):
    dossier = get_dossier_for_member(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, dossier=dossier)
    try:
        attachment_remove(user=request.user, attachment=attachment)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Le fichier « {attachment.original_name} » a été retiré.")
    return redirect("applications:step_documents", pk=dossier.pk)


@login_required
@require_http_methods(["GET", "HEAD"])
def attachment_download(request, pk: int, attachment_id: int):
    dossier = get_dossier_for_member(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, dossier=dossier)
    if not attachment.can_be_opened:
        context = {"dossier": dossier, "attachment": attachment}
        return render(request, "applications/attachment_unavailable.html", context, status=403)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.mime_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
