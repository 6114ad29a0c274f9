"""What the applicant does about instruction: answer a complements request, write to the Region."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from applications.scanning import unscanned_file_response
from applications.selectors import get_dossier_for_member
from applications.workflow import TransitionError
from common.files import private_file_response
from instruction import forms, review, services
from instruction.selectors import get_dossier_for_agent
from instruction.templatetags.applicant_drafts import session_key

TYPED_MAX = 20_000


def keep_typed_text(request, dossier_id: int, name: str) -> None:
    """A refused form of the dossier page: its text is shown again on the page (typed_text)."""
    request.session[session_key(dossier_id, name)] = request.POST.get(name, "")[:TYPED_MAX]


@login_required
@require_POST
def complements_answer(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    form = forms.AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Écrivez votre réponse avant de l'envoyer.")
        keep_typed_text(request, pk, "answer")
    else:
        try:
            services.complements_answer(
                user=request.user, dossier=dossier, answer=form.cleaned_data["answer"]
            )
        except (TransitionError, ValidationError, PermissionDenied) as exc:
            messages.error(
                request,
                getattr(exc, "message", None) or " ".join(getattr(exc, "messages", [str(exc)])),
            )
            keep_typed_text(request, pk, "answer")
        else:
            messages.success(request, "Votre réponse est envoyée : l'instruction reprend.")
    return redirect("applications:detail", pk)


@login_required
@require_POST
def message_post(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    form = forms.MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Le message est vide.")
        keep_typed_text(request, pk, "body")
        return redirect("applications:detail", pk)
    try:
        sent = review.message_post(
            user=request.user,
            dossier=dossier,
            body=form.cleaned_data["body"],
            uploaded_file=form.cleaned_data["attachment"],
            from_region=False,
        )
    except ValidationError as exc:
        # A refused attachment: the message typed is shown again (the file must be chosen again).
        messages.error(request, " ".join(exc.messages) + " Votre message n'est pas envoyé.")
        keep_typed_text(request, pk, "body")
    else:
        if getattr(sent, "already_sent", False):
            messages.success(
                request, "Ce message est déjà envoyé à la Région : il n'est pas renvoyé."
            )
        else:
            messages.success(request, "Votre message est envoyé à la Région.")
    return redirect("applications:detail", pk)


@login_required
def message_attachment(request, pk: int, message_id: int):
    """A message's attachment, for the organisation's members and the Region's agents only."""
    try:
        dossier = get_dossier_for_member(request.user, pk)
    except Http404:
        dossier = get_dossier_for_agent(request.user, pk)
    message = get_object_or_404(dossier.messages.exclude(attachment=""), pk=message_id)
    refused = unscanned_file_response(request, message.attachment)  # infected or not yet scanned
    if refused:
        return refused
    return private_file_response(
        message.attachment, filename=message.attachment_name or "piece-jointe"
    )
