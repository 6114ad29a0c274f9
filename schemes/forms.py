from decimal import Decimal

from django import forms

from common.forms import FrenchDecimalField
from schemes import core
from territories.models import Department

YES_NO_FIELDS = [
    ("registered_rcs", "Inscrite au registre du commerce et des sociétés (RCS)", False),
    ("registered_rm", "Inscrite au répertoire des métiers (RM)", False),
    ("esus", "Titulaire de l'agrément « entreprise solidaire d'utilité sociale » (ESUS)", False),
    ("siae", "Structure de l'insertion par l'activité économique (SIAE)", False),
    ("micro_enterprise", "Micro-entreprise (régime micro-fiscal)", False),
    ("digital_core", "Le numérique est le cœur d'activité de la structure", False),
    (
        "project_certified",
        "Projet certifié par un tiers de confiance (CCI, CMA, CRESS, OPCO…)",
        True,
    ),
    ("tax_social_up_to_date", "À jour de ses obligations fiscales et sociales", True),
    ("in_difficulty", "Entreprise en difficulté au sens européen", False),
]


# The largest amount the rules read (schemes.core.inputs: under 10^12 €); beyond, the rules'
# reading error would be a server error.
MAX_AMOUNT = Decimal("999999999999.99")


class SimulatorForm(forms.Form):
    department = forms.ModelChoiceField(
        label="Département de l'établissement qui porte le projet",
        queryset=Department.objects.filter(region__isnull=False).order_by("code"),
        empty_label="Choisissez un département",
    )
    kind = forms.ChoiceField(
        label="Vous êtes",
        choices=[(k, v.capitalize()) for k, v in core.KINDS.items()],
    )
    legal_form = forms.CharField(
        label="Forme juridique",
        required=False,
        max_length=40,
        help_text="Telle qu'elle figure sur le Kbis ou dans les statuts : SARL, SAS, EI, SCOP, association, commune…",
    )
    naf = forms.CharField(
        label="Code APE/NAF",
        required=False,
        max_length=6,
        help_text="Sur l'avis de situation INSEE, par exemple 47.71Z. Certaines activités sont exclues.",
    )
    created_on = forms.DateField(
        label="Date de création ou d'immatriculation",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    headcount = forms.IntegerField(
        label="Effectif salarié (équivalent temps plein)",
        min_value=0,
        max_value=999_999,
        initial=0,
        required=False,
    )
    turnover = FrenchDecimalField(
        label="Chiffre d'affaires du dernier exercice clos (€ HT)",
        min_value=0,
        max_value=MAX_AMOUNT,
        decimal_places=2,
        required=False,
        error_messages={"min_value": "Le chiffre d'affaires ne peut pas être négatif."},
    )
    other_public_funding = FrenchDecimalField(
        label="Autres aides publiques demandées pour ce projet (€)",
        min_value=0,
        max_value=MAX_AMOUNT,
        decimal_places=2,
        required=False,
        initial=0,
        error_messages={"min_value": "Le montant ne peut pas être négatif."},
    )
    expense_basis = forms.ChoiceField(
        label="Montants des dépenses",
        choices=[("HT", "Hors taxes (HT)"), ("TTC", "Toutes taxes comprises (TTC)")],
        initial="HT",
        help_text="Pour le chèque numérique d'Île-de-France : TTC pour des dépenses de fonctionnement, HT pour de l'investissement.",
    )
    filed_on = forms.DateField(
        label="Date de dépôt envisagée",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Elle détermine les règles applicables.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, default in YES_NO_FIELDS:
            self.fields[name] = forms.BooleanField(label=label, required=False, initial=default)

    def applicant(self) -> dict:
        data = self.cleaned_data
        applicant = {
            "kind": data["kind"],
            "legal_form": data["legal_form"] or "",
            "naf": data["naf"] or "",
            "department": data["department"].code,
            "headcount": data["headcount"] or 0,
            "turnover": str(data["turnover"] or Decimal(0)),
        }
        if data["created_on"]:
            applicant["created_on"] = data["created_on"].isoformat()
        for name, _, _ in YES_NO_FIELDS:
            applicant[name] = data[name]
        return applicant


class ExpenseForm(forms.Form):
    category = forms.ChoiceField(
        label="Nature de la dépense",
        choices=[("", "Choisissez")] + list(core.CATEGORIES.items()),
    )
    amount = FrenchDecimalField(
        label="Montant (€)",
        min_value=Decimal("0.01"),
        max_value=MAX_AMOUNT,
        decimal_places=2,
        help_text="Pour un matériel, le prix d'un seul appareil.",
        error_messages={"min_value": "Le montant doit être supérieur à zéro."},
    )
    mode = forms.ChoiceField(label="Mode", choices=list(core.MODES.items()), initial="purchase")
    months = forms.IntegerField(label="Durée de l'abonnement (mois)", min_value=1, required=False)
    device = forms.ChoiceField(
        label="Appareil", choices=[("", "Sans objet")] + list(core.DEVICES.items()), required=False
    )
    committed_on = forms.DateField(
        label="Devis signé le",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Laissez vide si le devis n'est pas encore signé.",
    )

    def expense(self) -> dict:
        data = self.cleaned_data
        line = {"category": data["category"], "amount": str(data["amount"]), "mode": data["mode"]}
        if data.get("months"):
            line["months"] = data["months"]
        if data.get("device"):
            line["device"] = data["device"]
        if data.get("committed_on"):
            line["committed_on"] = data["committed_on"].isoformat()
        return line


ExpenseFormSet = forms.formset_factory(ExpenseForm, extra=1, can_delete=True, max_num=30)
