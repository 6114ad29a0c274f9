from contextlib import suppress
from decimal import Decimal, InvalidOperation

from django import forms
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from accounts.params import parse_int
from applications.models import ExpenseLine
from applications.questions import report_sections, scheme_questions
from common.forms import FrenchDecimalField
from schemes import core

PERCENT = {
    "min_value": Decimal("0"),
    "max_value": Decimal("100"),
    "decimal_places": 2,
    "example": "33,5",
}
# Amounts are stored with 12 digits (10 before the comma): a larger one typed is a French
# message next to the field, never a value the database or the rules cannot read back.
MONEY = {"min_value": Decimal("0"), "max_value": Decimal("9999999999.99"), "decimal_places": 2}
MAX_HEADCOUNT = 999_999

QUESTION_FIELDS = {
    "headcount": lambda: forms.IntegerField(
        label="Effectif salarié (équivalent temps plein)", min_value=0, max_value=MAX_HEADCOUNT
    ),
    "turnover": lambda: FrenchDecimalField(
        label="Chiffre d'affaires HT du dernier exercice clos (€)", **MONEY
    ),
    "balance_sheet_total": lambda: FrenchDecimalField(
        label="Total du bilan du dernier exercice clos (€)", required=False, **MONEY
    ),
    "registered_rcs": lambda: forms.BooleanField(
        label="Inscrite au registre du commerce et des sociétés (RCS)", required=False
    ),
    "registered_rm": lambda: forms.BooleanField(
        label="Inscrite au répertoire des métiers (RM)", required=False
    ),
    "esus": lambda: forms.BooleanField(
        label="Titulaire de l'agrément « entreprise solidaire d'utilité sociale » (ESUS)",
        required=False,
    ),
    "siae": lambda: forms.BooleanField(
        label="Structure de l'insertion par l'activité économique (SIAE)", required=False
    ),
    "aci": lambda: forms.BooleanField(
        label="Atelier et chantier d'insertion (ACI) conventionné", required=False
    ),
    "digital_core": lambda: forms.BooleanField(
        label="Le numérique est le cœur de votre activité", required=False
    ),
    "micro_enterprise": lambda: forms.BooleanField(
        label="Micro-entreprise (régime micro-fiscal)", required=False
    ),
    "certified_accounts": lambda: forms.BooleanField(
        label="Vous disposez de deux derniers comptes de résultat certifiés",
        required=False,
        initial=True,
    ),
    "tax_social_up_to_date": lambda: forms.BooleanField(
        label="Vous êtes à jour de vos obligations fiscales et sociales",
        required=False,
        initial=True,
    ),
    "in_difficulty": lambda: forms.BooleanField(
        label="Votre entreprise est en difficulté au sens du droit européen", required=False
    ),
    "project_certified": lambda: forms.BooleanField(
        label="Votre projet a été certifié par un tiers de confiance (CCI, CMA, CRESS, OPCO, EPCI, cabinet spécialisé…)",
        required=False,
    ),
    "market_activity_share": lambda: FrenchDecimalField(
        label="Part de vos ressources issue d'une activité économique (%)",
        initial=100,
        required=False,
        help_text="Pour une association : ventes et prestations rapportées à l'ensemble des ressources. Laissez 100 pour une entreprise.",
        **PERCENT,
    ),
    "region_share": lambda: FrenchDecimalField(
        label="Part de l'activité du projet réalisée en Pays de la Loire (%)",
        initial=100,
        required=False,
        help_text="100 % si le projet ne sert que des établissements de la région.",
        **PERCENT,
    ),
}
SHARE_FIELDS = {"market_activity_share", "region_share"}


COMMERCIAL_FORMS = {"SARL", "EURL", "SA", "SAS", "SASU", "SNC", "SCA", "SCS", "SELARL", "SELAS"}


def known_answers(organisation) -> dict:
    """Answers the portal already knows from the organisation (its step, the company lookup)."""
    known = {}
    if organisation.headcount is not None:
        known["headcount"] = organisation.headcount
    elif organisation.headcount_band in ("Unité non employeuse", "0 salarié"):
        known["headcount"] = 0
    legal_form = (organisation.legal_form or "").strip().upper()
    if (organisation.legal_form_code or "").startswith("5") or legal_form in COMMERCIAL_FORMS:
        # Commercial companies (INSEE category 5) are registered at the RCS by law.
        known["registered_rcs"] = True
    return known


class EligibilityForm(forms.Form):
    """The scheme's eligibility questions; answers are stored as the engine expects them.

    A question the applicant has not answered yet starts from what the portal already knows of
    the `organisation` (see known_answers): the applicant can change it.
    """

    def __init__(
        self,
        *args,
        scheme_code: str,
        answers: dict | None = None,
        organisation=None,
        **kwargs,
    ):
        initial = {}
        known = known_answers(organisation) if organisation is not None else {}
        given = {**known, **(answers or {})}
        for key, value in given.items():
            initial[key] = (
                Decimal(str(value)) * 100
                if key in SHARE_FIELDS and value not in (None, "")
                else value
            )
        super().__init__(*args, initial=initial, **kwargs)
        for name in scheme_questions(scheme_code):
            self.fields[name] = QUESTION_FIELDS[name]()
            if name in initial:
                value = initial[name]
                if isinstance(self.fields[name], FrenchDecimalField) and isinstance(value, str):
                    with suppress(InvalidOperation):  # stored as text: shown as « 380 000 »
                        value = self.initial[name] = Decimal(value)
                self.fields[name].initial = value
        band = organisation.headcount_band if organisation is not None else ""
        if band and "headcount" in self.fields:
            self.fields[
                "headcount"
            ].help_text = (
                f"Tranche d'effectif connue du répertoire des entreprises (INSEE) : {band}."
            )

    def answers(self, previous: dict | None = None) -> dict:
        """The stored answers updated with each valid answer of the page.

        Call after is_valid(): an answer with an error keeps its stored value (a draft keeps
        what is valid), a cleared optional answer is removed.
        """
        answers = dict(previous or {})
        for name in self.fields:
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if value is None:
                answers.pop(name, None)
                continue
            if name in SHARE_FIELDS:
                value = str((value / 100).quantize(Decimal("0.0001")))
            elif isinstance(value, Decimal):
                value = str(value)
            answers[name] = value
        answers["confirmed"] = bool((previous or {}).get("confirmed")) or not self.errors
        return answers


class HoldingForm(forms.Form):
    share = FrenchDecimalField(label="Part de capital ou de droits de vote (%)", **PERCENT)
    headcount = forms.IntegerField(
        label="Effectif de cette entreprise", min_value=0, max_value=MAX_HEADCOUNT
    )
    turnover = FrenchDecimalField(label="Chiffre d'affaires de cette entreprise (€)", **MONEY)


HoldingFormSet = forms.formset_factory(HoldingForm, extra=1, can_delete=True, max_num=10)


class ProjectForm(forms.Form):
    title = forms.CharField(label="Intitulé du projet", max_length=200)
    description = forms.CharField(
        label="Description du projet",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Ce que vous voulez faire, pour qui, avec quels outils et dans quel délai.",
    )

    def __init__(self, *args, scheme_code: str, expense_bases: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        if len(expense_bases) > 1:
            self.fields["expense_basis"] = forms.ChoiceField(
                label="Nature des dépenses présentées",
                choices=[
                    ("TTC", "Dépenses de fonctionnement, montants TTC"),
                    ("HT", "Dépenses d'investissement, montants HT"),
                ],
                widget=forms.RadioSelect,
                help_text="Le chèque numérique finance soit des dépenses de fonctionnement (TTC), soit des dépenses d'investissement (HT), pas les deux.",
            )
        for key, label in report_sections(scheme_code):
            self.fields[f"report_{key}"] = forms.CharField(
                label=f"Rapport de réflexion — {label}", widget=forms.Textarea(attrs={"rows": 4})
            )

    def report(self) -> dict:
        return {
            name[len("report_") :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("report_")
        }


class ExpenseForm(forms.ModelForm):
    # The stored line a form was drawn from: saving updates that line (see dossier_set_expenses).
    line_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = ExpenseLine
        fields = [
            "category",
            "description",
            "supplier",
            "amount",
            "mode",
            "months",
            "device",
            "quote_date",
        ]
        widgets = {"quote_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        field_classes = {"amount": FrenchDecimalField}
        help_texts = {
            "amount": "Pour un matériel informatique, le prix d'un seul appareil.",
            "quote_date": "Date de signature du devis ou de la commande, si elle a déjà eu lieu.",
        }
        error_messages = {"amount": {"min_value": "Le montant doit être supérieur à zéro."}}

    def __init__(self, *args, categories: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if categories:
            self.fields["category"].choices = [("", "Choisissez")] + [
                (c, core.CATEGORIES[c]) for c in categories
            ]
        self.fields["device"].choices = [("", "Sans objet")] + list(core.DEVICES.items())

    def line(self) -> dict:
        """The line to store; with the id of the stored line it was drawn from, if any."""
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        data["device"] = data.get("device") or ""
        if self.cleaned_data.get("line_id"):
            data["id"] = self.cleaned_data["line_id"]
        return data

    def stored_id(self) -> int | None:
        """The id of the stored line this form was drawn from, even when the form has errors."""
        raw = self["line_id"].value()
        return parse_int(str(raw or ""))


ExpenseFormSet = forms.formset_factory(ExpenseForm, extra=1, can_delete=True, max_num=50)


class FundingForm(forms.Form):
    other_public_funding = FrenchDecimalField(
        label="Montant des autres aides publiques demandées ou obtenues pour ce projet (€)",
        initial=0,
        **MONEY,
    )
    other_public_funding_detail = forms.CharField(
        label="Lesquelles ?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Financeur, dispositif et montant de chaque aide.",
    )


class DeMinimisForm(forms.Form):
    granting_body = forms.CharField(label="Organisme qui a attribué l'aide", max_length=200)
    granted_on = forms.DateField(
        label="Date d'attribution", widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = FrenchDecimalField(
        label="Montant (€)",
        min_value=Decimal("0.01"),
        decimal_places=2,
        error_messages={"min_value": "Le montant doit être supérieur à zéro."},
    )


DeMinimisFormSet = forms.formset_factory(DeMinimisForm, extra=1, can_delete=True, max_num=30)


class BankForm(forms.Form):
    iban = forms.CharField(
        label="IBAN", max_length=42, help_text="Par exemple FR76 3000 6000 0112 3456 7890 189."
    )
    bic = forms.CharField(
        label="BIC", max_length=11, help_text="8 ou 11 caractères, sur votre RIB."
    )
    account_holder = forms.CharField(label="Titulaire du compte", max_length=200)

    def clean_iban(self) -> str:
        try:
            iban = IBAN(self.cleaned_data["iban"], validate_bban=True)
        except SchwiftyException as exc:
            raise forms.ValidationError(
                "Cet IBAN n'est pas valide : vérifiez les chiffres recopiés depuis votre RIB (clé de contrôle ou clé RIB incorrecte)."
            ) from exc
        return iban.compact

    def clean_bic(self) -> str:
        try:
            return BIC(self.cleaned_data["bic"]).compact
        except SchwiftyException as exc:
            raise forms.ValidationError(
                "Ce BIC n'est pas valide : il comporte 8 ou 11 lettres et chiffres."
            ) from exc

    def clean(self):
        data = super().clean()
        iban, bic = data.get("iban"), data.get("bic")
        if iban and bic:
            expected = IBAN(iban).bic
            if expected is not None and expected.compact[:6] != bic[:6]:
                self.add_error(
                    "bic",
                    f"Ce BIC ne correspond pas à la banque de l'IBAN (attendu : {expected.compact}).",
                )
        return data


class SubmitForm(forms.Form):
    sworn = forms.BooleanField(
        label="Je certifie sur l'honneur l'exactitude des informations du dossier et que les dépenses présentées n'ont pas été engagées avant le dépôt de la demande, sauf mention contraire.",
        error_messages={"required": "Cochez la déclaration sur l'honneur pour déposer le dossier."},
    )
