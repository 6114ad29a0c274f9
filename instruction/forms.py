from decimal import Decimal

from django import forms

from common.forms import FrenchDecimalField
from instruction.enums import CheckStatus, RetentionStatus, Vote
from instruction.models import CommissionSession


class VersionedForm(forms.Form):
    """Carries the dossier version the agent saw, to detect concurrent edits."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ComplementsForm(forms.Form):
    items = forms.CharField(
        label="Éléments demandés (un par ligne)", widget=forms.Textarea(attrs={"rows": 4})
    )
    due_on = forms.DateField(
        label="Réponse attendue avant le", widget=forms.DateInput(attrs={"type": "date"})
    )


class AdmissibleForm(forms.Form):
    on = forms.DateField(
        label="Date de l'accusé de réception",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Les dépenses sont éligibles à partir de cette date (PDL-IN, FAQ question 15).",
    )


class ProposeForm(forms.Form):
    favourable = forms.TypedChoiceField(
        label="Avis",
        choices=[("1", "Favorable"), ("0", "Défavorable")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Motivation de la proposition", widget=forms.Textarea(attrs={"rows": 3})
    )


class MotivationForm(forms.Form):
    motivation = forms.CharField(label="Motivation", widget=forms.Textarea(attrs={"rows": 3}))


class CheckForm(VersionedForm):
    code = forms.CharField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="Avis",
        choices=[(CheckStatus.CONFIRMED, "Confirmer"), (CheckStatus.OVERRIDDEN, "Corriger")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label="Commentaire", required=False)


class RetentionForm(VersionedForm):
    line = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Retenue", choices=RetentionStatus.choices)
    amount = FrenchDecimalField(
        label="Montant retenu (€)",
        required=False,
        min_value=Decimal("0"),
        decimal_places=2,
    )
    reason = forms.CharField(label="Motif", required=False)


class CheckLineForm(forms.Form):
    """One criterion of the checklist form (prefix `check-<id>`): the whole list saves at once."""

    status = forms.ChoiceField(label="Avis", choices=CheckStatus.choices)
    comment = forms.CharField(label="Commentaire", required=False, max_length=2000)


class RetentionLineForm(forms.Form):
    """One expense line of the retentions form (prefix `line-<id>`): all lines save at once."""

    status = forms.ChoiceField(
        label="Retenue",
        choices=[("", "Selon le calcul du moteur")] + RetentionStatus.choices,
        required=False,
    )
    amount = FrenchDecimalField(
        label="Montant retenu (€)",
        required=False,
        min_value=Decimal("0"),
        decimal_places=2,
    )
    reason = forms.CharField(label="Motif", required=False, max_length=2000)


class RegionShareForm(VersionedForm):
    share = FrenchDecimalField(
        label="Part de l'activité réalisée en Pays de la Loire (%)",
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("100"),
        decimal_places=2,
        help_text="Laissez vide pour reprendre la part déclarée par le demandeur.",
        example="33,5",
    )


class TextForm(forms.Form):
    body = forms.CharField(label="Texte", widget=forms.Textarea(attrs={"rows": 3}))


class MessageForm(forms.Form):
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label="Pièce jointe (facultatif)", required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(label="Votre réponse", widget=forms.Textarea(attrs={"rows": 4}))


class ScheduleForm(forms.Form):
    session = forms.ModelChoiceField(
        label="Séance",
        queryset=CommissionSession.objects.none(),
        empty_label="Choisissez une séance",
    )

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = CommissionSession.objects.filter(region=region).order_by(
            "date"
        )


class SessionForm(forms.Form):
    number = forms.CharField(label="Numéro de la séance", max_length=32)
    date = forms.DateField(
        label="Date de la séance", widget=forms.DateInput(attrs={"type": "date"})
    )


class VoteForm(forms.Form):
    vote = forms.ChoiceField(
        label="Vote", choices=[(Vote.FOR, "Favorable"), (Vote.AGAINST, "Défavorable")]
    )
    deliberation_number = forms.CharField(label="N° de délibération", required=False, max_length=40)


class BulkMessageForm(forms.Form):
    """The message written to every dossier of an audience (instruction.bulk_messages)."""

    audience = forms.CharField(widget=forms.HiddenInput)
    token = forms.UUIDField(widget=forms.HiddenInput)
    body = forms.CharField(
        label="Texte du message",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Il s'affiche dans les échanges de chaque dossier et part par courriel aux "
        "membres de l'organisation. 5 000 caractères au plus.",
        error_messages={"required": "Écrivez le message."},
    )
