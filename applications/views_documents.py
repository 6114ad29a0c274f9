"""« Pièces justificatives » step of the filing journey, and the guarded file download.

Several files are added in one go (a `multiple` file input; drag and drop with
static/js/upload-check.js): each goes through `attachment_add` (the checks of
applications/uploads.py, the antivirus scan) on its own, so a refused file never undoes the
accepted ones; the page then says, file by file, what was added and what was refused and why.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
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
from common.files import private_file_response

STEP = "pieces"


MAX_FILES_AT_ONCE = 20
BROWSER_REFUSED = "refus_navigateur"  # the files the browser kept back, with its reason


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or several files: `cleaned_data` holds a list (Django's documented pattern)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(one, initial) for one in data] or [single(None, initial)]
        return [single(data, initial)]


class AttachmentForm(forms.Form):
    document_code = forms.ChoiceField(label="Pièce concernée")
    file = MultipleFileField(
        label="Fichiers",
        allow_empty_file=True,  # an empty file gets the service's clearer message
        error_messages={"required": "Choisissez au moins un fichier à déposer."},
    )

    def __init__(self, *args, choices, remaining: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document_code"].choices = choices
        self.set_remaining(remaining)

    def set_remaining(self, remaining: int | None) -> None:
        attrs = self.fields["file"].widget.attrs
        attrs.update(uploads.browser_check_attrs(remaining=remaining))
        attrs["aria-describedby"] = "limites-fichiers verification-fichier"

    def clean_file(self):
        files = self.cleaned_data["file"]
        if len(files) > MAX_FILES_AT_ONCE:
            raise ValidationError(
                f"Vous avez choisi {len(files)} fichiers : envoyez-en {MAX_FILES_AT_ONCE} au "
                "plus à la fois.",
                code="too_many",
            )
        return files


@dataclass(frozen=True)
class FileResult:
    """What became of one of the files sent together."""

    name: str
    added: bool
    message: str = ""


def _browser_refusals(request) -> list[FileResult]:
    """The files static/js/upload-check.js refused and kept back, as « name » : reason lines
    (only shown back to the person who sent them, escaped)."""
    lines = request.POST.getlist(BROWSER_REFUSED)[:MAX_FILES_AT_ONCE]
    return [FileResult(name="", added=False, message=line[:500]) for line in lines if line]


def _added_message(names: list[str]) -> str:
    if len(names) == 1:
        return f"Le fichier « {names[0]} » a été ajouté."
    quoted = [f"« {name} »" for name in names]
    return f"Les {len(names)} fichiers ont été ajoutés : {', '.join(quoted[:-1])} et {quoted[-1]}."


def _page(request, dossier, form, groups, remaining: int, results=()):
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
        results=results,
        added_count=sum(1 for result in results if result.added),
        refused_count=sum(1 for result in results if not result.added),
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
    if not form.is_valid():
        return _page(request, dossier, form, groups, remaining)
    results = []
    for uploaded in form.cleaned_data["file"]:
        try:
            attachment = attachment_add(
                user=request.user,
                dossier=dossier,
                document_code=form.cleaned_data["document_code"],
                uploaded_file=uploaded,
            )
        except PermissionDenied as exc:
            added = [result.name for result in results if result.added]
            if added:
                messages.success(request, _added_message(added))
            messages.error(request, str(exc))
            return redirect("applications:step_documents", pk=dossier.pk)
        except ValidationError as exc:
            name = uploads.clean_filename(uploaded.name) or "sans nom"
            results.append(FileResult(name=name, added=False, message=" ".join(exc.messages)))
        else:
            results.append(FileResult(name=attachment.original_name, added=True))
    results += _browser_refusals(request)
    refused = [result for result in results if not result.added]
    if not refused:
        messages.success(request, _added_message([result.name for result in results]))
        return redirect("applications:step_documents", pk=dossier.pk)
    for result in refused:
        text = f"« {result.name} » : {result.message}" if result.name else result.message
        form.add_error("file", ValidationError(text, code="refused"))
    # The accepted files are stored: the page lists them (the dossier read again, its files
    # were prefetched before), and the space left shrinks.
    dossier = get_dossier_for_member(request.user, pk)
    groups = documents_overview(dossier)
    remaining = uploads.dossier_remaining_bytes(dossier)
    form.set_remaining(remaining)
    return _page(request, dossier, form, groups, remaining, results)


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
    return private_file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.mime_type,
        sandbox=True,
    )
