"""Forms of the beneficiary's payment requests and of the agent's service fait."""

from decimal import Decimal

from django import forms
from django.utils import timezone

from applications.forms import BankForm
from applications.uploads import browser_check_attrs, validate_upload
from common.forms import FrenchDecimalField
from payments.enums import PaymentKind, RetainStatus
from payments.services import DOCUMENT_LABELS, accepted_supplier, invoice_identity
from payments.staging import open_staged
from schemes.models import Scheme

DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}
FILES_KEPT = (
    "Les fichiers acceptés restent joints : vous n'avez pas à les choisir à nouveau. "
    "Choisissez de nouveau seulement un fichier refusé."
)
# The provider change form does not keep its file yet.
FILES_AGAIN = (
    "Pour votre sécurité, les fichiers ne sont pas conservés quand le formulaire est renvoyé : "
    "choisissez-les à nouveau avant d'envoyer la demande."
)


class CheckedFileField(forms.FileField):
    """A file input whose upload is checked like a dossier attachment (type, size, content)."""

    def __init__(self, *args, **kwargs):
        # accept and the limits the browser checks before sending (static/js/upload-check.js).
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs=browser_check_attrs()))
        super().__init__(*args, **kwargs)


def _check_upload(form, name: str, dossier):
    upload = form.cleaned_data.get(name)
    if upload:
        try:
            validate_upload(upload, dossier=dossier)
        except forms.ValidationError as exc:
            form.add_error(name, exc)
            return None
    return upload


class StagedFilesMixin:
    """File fields already joined on an earlier post of the page (payments.staging) are filled:
    not required again, their help text names the file, and `joined(name)` returns it."""

    def __init__(self, *args, staged: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._use_staged(staged)

    def _use_staged(self, staged: dict | None) -> None:
        self.staged_files = {}
        for name, field in self.fields.items():
            if not isinstance(field, forms.FileField):
                continue
            entry = (staged or {}).get(self.add_prefix(name))
            if entry:
                self.staged_files[name] = entry
                field.required = False
                field.help_text = (
                    f"Fichier joint : « {entry['original']} ». Choisissez un autre fichier "
                    "seulement pour le remplacer."
                )

    def joined(self, name: str):
        entry = self.staged_files.get(name)
        return open_staged(entry) if entry else None


class PaymentBankForm(StagedFilesMixin, BankForm):
    """The dossier's bank details, to confirm or change; a changed IBAN needs the new RIB."""

    rib = CheckedFileField(
        label="RIB du nouveau compte",
        required=False,
        help_text="Obligatoire seulement si vous changez de compte bancaire.",
    )
    bank_confirmed = forms.BooleanField(
        label="Je confirme que l'aide doit être versée sur ce compte.",
        error_messages={"required": "Confirmez le compte sur lequel l'aide doit être versée."},
    )

    def __init__(self, *args, dossier, **kwargs):
        kwargs.setdefault(
            "initial",
            {"iban": dossier.iban, "bic": dossier.bic, "account_holder": dossier.account_holder},
        )
        super().__init__(*args, **kwargs)
        self.dossier = dossier

    @property
    def iban_changed(self) -> bool:
        return (
            bool(self.cleaned_data.get("iban")) and self.cleaned_data["iban"] != self.dossier.iban
        )

    def clean(self):
        data = super().clean()
        rib = data.get("rib") or self.staged_files.get("rib")
        if self.iban_changed and not rib and "rib" not in self.errors:
            self.add_error(
                "rib",
                "Vous changez de compte bancaire : joignez le RIB du nouveau compte (il sera "
                "vérifié par le service financier).",
            )
        return data


class AdvanceForm(StagedFilesMixin, forms.Form):
    quote = CheckedFileField(
        label=DOCUMENT_LABELS["quote"],
        error_messages={"required": "Joignez le devis ou le bon de commande signé."},
    )


def line_choices(dossier) -> list[tuple[str, str]]:
    """Expense lines as « Logiciel de gestion — fournisseur retenu : X »."""
    choices = [("", "Choisissez la dépense")]
    for line in dossier.expenses.all():
        supplier = accepted_supplier(line) or "non précisé"
        choices.append(
            (str(line.pk), f"{line.get_category_display()} — fournisseur retenu : {supplier}")
        )
    return choices


class InvoiceForm(StagedFilesMixin, forms.Form):
    supplier = forms.CharField(label="Fournisseur", max_length=200)
    number = forms.CharField(label="Numéro de facture", max_length=60)
    issued_on = forms.DateField(label="Date de la facture", widget=forms.DateInput(**DATE_WIDGET))
    amount = FrenchDecimalField(
        label="Montant",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": "Le montant doit être supérieur à zéro."},
    )
    paid_on = forms.DateField(label="Payée le", widget=forms.DateInput(**DATE_WIDGET))
    expense_line = forms.ChoiceField(label="Dépense du dossier concernée")
    file = CheckedFileField(
        label="Facture acquittée (fichier)",
        error_messages={"required": "Joignez le fichier de la facture acquittée."},
    )

    def __init__(self, *args, dossier, basis: str = "HT", **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.fields["amount"].label = f"Montant {basis}"
        self.fields["expense_line"].choices = line_choices(dossier)

    def clean(self):
        data = super().clean()
        issued, paid = data.get("issued_on"), data.get("paid_on")
        if paid and paid > timezone.localdate():
            self.add_error("paid_on", "La date de paiement ne peut pas être dans le futur.")
        elif issued and paid and paid < issued:
            self.add_error("paid_on", "La facture ne peut pas être payée avant d'être émise.")
        return data

    def invoice(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "DELETE"}
        line_id = int(data.pop("expense_line"))
        data["expense_line"] = next(ln for ln in self.dossier.expenses.all() if ln.pk == line_id)
        data["file"] = data.get("file") or self.joined("file")
        return data


class BaseInvoiceFormSet(forms.BaseFormSet):
    """The invoice lines of a request; « Retirer » removes a line, the same invoice twice is
    refused (the service checks it again, and against the dossier's other requests)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Retirer cette facture de la demande"

    def kept_forms(self) -> list:
        return [
            f
            for f in self.forms
            if f.has_changed() and not (self.can_delete and self._should_delete_form(f))
        ]

    def clean(self):
        if any(self.errors):
            return
        kept = self.kept_forms()
        if not kept:
            raise forms.ValidationError("Ajoutez au moins une facture acquittée.")
        seen: dict[tuple[str, str], int] = {}
        for form in kept:
            data = form.cleaned_data
            key = invoice_identity(data["supplier"], data["number"])
            position = self.forms.index(form) + 1
            if key in seen:
                form.add_error(
                    "number",
                    f"Cette facture figure déjà à la ligne n° {seen[key]} : retirez l'une des "
                    "deux lignes.",
                )
            seen.setdefault(key, position)
        if any(self.errors):
            raise forms.ValidationError("La même facture ne peut pas être présentée deux fois.")


InvoiceFormSet = forms.formset_factory(
    InvoiceForm, formset=BaseInvoiceFormSet, extra=1, max_num=100, can_delete=True
)


class ClosingDocumentsForm(StagedFilesMixin, forms.Form):
    """The signed statement and end-of-expenses certificate (PDL FAQ Q31), as files."""

    statement = CheckedFileField(
        label=DOCUMENT_LABELS["statement"],
        error_messages={"required": "Joignez l'état récapitulatif des dépenses signé."},
    )
    completion = CheckedFileField(
        label=DOCUMENT_LABELS["completion"],
        error_messages={"required": "Joignez l'attestation de fin des dépenses signée."},
    )

    def document(self, name: str):
        return self.cleaned_data.get(name) or self.joined(name)


class ProviderChangeForm(forms.Form):
    expense_line = forms.ChoiceField(label="Dépense concernée")
    new_supplier = forms.CharField(label="Nouveau fournisseur", max_length=200)
    new_amount = FrenchDecimalField(
        label="Montant du nouveau devis",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": "Le montant doit être supérieur à zéro."},
    )
    quote = CheckedFileField(label="Nouveau devis")
    reason = forms.CharField(
        label="Motif du changement",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Le projet doit rester le même : seul le prestataire change.",
    )

    def __init__(self, *args, dossier, **kwargs):
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.fields["expense_line"].choices = line_choices(dossier)

    def clean(self):
        data = super().clean()
        _check_upload(self, "quote", self.dossier)
        return data

    def line(self):
        line_id = int(self.cleaned_data["expense_line"])
        return next(ln for ln in self.dossier.expenses.all() if ln.pk == line_id)


class RetainForm(forms.Form):
    """The agent's decision on one invoice (prefix `invoice-<id>`)."""

    status = forms.ChoiceField(label="Décision", choices=RetainStatus.choices)
    amount = FrenchDecimalField(
        label="Montant retenu", required=False, max_digits=12, decimal_places=2
    )
    reason = forms.CharField(label="Motif", required=False, max_length=300)

    def retained(self) -> tuple[str, Decimal | None, str]:
        data = self.cleaned_data
        return data["status"], data.get("amount"), data.get("reason", "")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accepter"), ("refuse", "Refuser")])
    comment = forms.CharField(label="Commentaire", required=False)


# Finance pages (moved from views_finance.py: forms live in forms.py).


class QueueFilterForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label="Dispositif",
        queryset=Scheme.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="Tous",
    )
    kind = forms.ChoiceField(
        label="Type de paiement", choices=[("", "Tous"), *PaymentKind.choices], required=False
    )
    amount_min = FrenchDecimalField(label="Montant minimum (€)", min_value=0, required=False)
    amount_max = FrenchDecimalField(label="Montant maximum (€)", min_value=0, required=False)
    iban_changed = forms.ChoiceField(
        label="Coordonnées bancaires",
        choices=[("", "Toutes"), ("yes", "Changées"), ("no", "Inchangées")],
        required=False,
    )

    def __init__(self, *args, region_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.filter(region_id__in=region_ids).order_by(
            "code"
        )
        for field in self.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if select else "form-control"

    def apply(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["scheme"]:
            queryset = queryset.filter(dossier__scheme=data["scheme"])
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["amount_min"] is not None:
            queryset = queryset.filter(amount__gte=data["amount_min"])
        if data["amount_max"] is not None:
            queryset = queryset.filter(amount__lte=data["amount_max"])
        if data["iban_changed"]:
            queryset = queryset.filter(iban_changed=data["iban_changed"] == "yes")
        return queryset


class DateForm(forms.Form):
    on = forms.DateField(label="Date", input_formats=["%Y-%m-%d", "%d/%m/%Y"])
