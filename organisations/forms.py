from django import forms
from django.core.validators import MaxValueValidator

from organisations.enums import OrganisationKind
from organisations.models import Organisation
from organisations.validators import clean_rna, clean_siret
from territories.models import Department


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "siret",
            "kind",
            "rna",
            "name",
            "legal_form",
            "naf",
            "address",
            "postal_code",
            "city",
            "department",
            "created_on",
            "headcount",
            "is_ess",
            # From the company lookup, kept for the later steps (issue 21: never asked twice).
            "legal_form_code",
            "headcount_band",
        ]
        widgets = {
            "siret": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "created_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "postal_code": forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "postal-code"}
            ),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "legal_form_code": forms.HiddenInput,
            "headcount_band": forms.HiddenInput,
        }
        help_texts = {
            "naf": "Code APE figurant sur l'avis de situation INSEE, par exemple 47.71Z.",
            "headcount": "Nombre de salariés en équivalent temps plein.",
        }
        error_messages = {
            "siret": {
                "unique": "Cette organisation est déjà inscrite sur le portail : demandez à l'un de ses membres de vous inviter."
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["headcount"].max_value = 1_000_000
        self.fields["headcount"].validators.append(MaxValueValidator(1_000_000))
        self.fields["department"].queryset = Department.objects.order_by("code")
        self.fields["department"].required = True

    def clean_siret(self) -> str:
        return clean_siret(self.cleaned_data["siret"])

    def clean_rna(self) -> str:
        value = self.cleaned_data.get("rna", "")
        return clean_rna(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rna") and cleaned.get("kind") != OrganisationKind.ASSOCIATION:
            self.add_error("rna", "Le numéro RNA ne concerne que les associations.")
        return cleaned

    def clean_naf(self) -> str:
        naf = self.cleaned_data["naf"].strip().upper().replace(" ", "")
        if naf and len(naf) == 5 and "." not in naf:
            naf = f"{naf[:2]}.{naf[2:]}"
        if naf and not (
            len(naf) == 6
            and naf[:2].isdigit()
            and naf[2] == "."
            and naf[3:5].isdigit()
            and naf[5].isalpha()
        ):
            raise forms.ValidationError(
                "Le code NAF s'écrit comme 47.71Z (quatre chiffres et une lettre)."
            )
        return naf


class SiretLookupForm(forms.Form):
    """The optional SIRET look-up shown above the organisation form, on the same page.

    Its inputs keep the name « siret » but take ids of their own (« id_lookup_siret »), so that
    the page never has two elements with one id and each label names its own field.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_lookup_%s")
        super().__init__(*args, **kwargs)

    siret = forms.CharField(
        label="SIRET",
        max_length=20,
        help_text="14 chiffres, sur votre extrait Kbis ou votre avis de situation INSEE.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_siret(self) -> str:
        return clean_siret(self.cleaned_data["siret"])
