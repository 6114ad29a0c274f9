"""The agents' page to write to many applicants at once (instruction.bulk_messages)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse

from instruction import bulk_messages as service
from instruction.forms import BulkMessageForm
from instruction.models import BulkMessage


@login_required
def bulk_messages(request):
    service._require_agent(request.user)
    if request.method == "POST":
        form = BulkMessageForm(request.POST)
        audience = request.POST.get("audience", "")
        if form.is_valid():
            try:
                bulk = service.bulk_message_create(
                    user=request.user,
                    audience=form.cleaned_data["audience"],
                    body=form.cleaned_data["body"],
                    token=form.cleaned_data["token"],
                )
            except ValidationError as exc:
                form.add_error("body", exc)
            else:
                messages.success(
                    request,
                    "Votre message est enregistré : il est écrit dans chaque dossier et envoyé "
                    "par courriel au fil de l'eau. Suivez l'envoi ci-dessous.",
                )
                return redirect(reverse("instruction:bulk_messages") + f"#envoi-{bulk.pk}")
    else:
        audience = request.GET.get("audience", "")
        form = BulkMessageForm(initial={"audience": audience, "token": uuid.uuid4()})
    preview = None
    if audience in service.AUDIENCES:
        preview = service.audience_preview(request.user, audience)
    context = {
        "form": form,
        "audience": audience,
        "audience_label": dict(service.audience_choices()).get(audience, ""),
        "choices": service.audience_choices(),
        "preview": preview,
        "sent": BulkMessage.objects.filter(author=request.user)[:20],
    }
    return render(
        request, "instruction/bulk_messages.html", context, status=400 if form.errors else 200
    )
