"""Staff choose which e-mails they receive (outbox.notifications.STAFF_EVENTS)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render

from accounts.permissions import is_staff_member
from outbox.notifications import STAFF_EVENTS, preferences_of, preferences_set


class PreferencesForm(forms.Form):
    events = forms.MultipleChoiceField(
        label="M'écrire un courriel quand…",
        choices=list(STAFF_EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Décochez un évènement pour ne plus recevoir son courriel. Les dossiers "
        "restent signalés dans la file d'instruction.",
    )


@login_required
def notification_preferences(request):
    if not is_staff_member(request.user):
        raise PermissionDenied("Cette page est réservée aux agents de la Région.")
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                preferences_set(user=request.user, enabled=form.cleaned_data["events"])
            messages.success(request, "Vos préférences de notification sont enregistrées.")
            return redirect("portal:notifications")
    else:
        current = preferences_of(request.user)
        form = PreferencesForm(initial={"events": [e for e, on in current.items() if on]})
    return render(request, "portal/notifications.html", {"form": form})
