"""The finance software's numbers, both ways (issue 22, point 9).

Out: the batch export carries, for a region with an export profile (imputations of its
schemes), the budget imputation of each payment (chapter, article, function, AP/AE) and the
dossier's supplier (tiers) and legal commitment (EJ) numbers.

Back: the software's return file lists, for each payment of a frozen batch, its mandate number
and payment date. It is reconciled as a whole before anything changes: every line must quote the
SHA-256 of the batch's exported CSV, match one payment of the batch (dossier, type, amount), and
every payment must be there once. Then each payment is marked paid through the existing service
(`mark_payment_paid`, which moves its request and dossier on and tells the members), its mandate
recorded, and the batch becomes paid; all of it audited with the return file's own SHA-256.
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from applications.models import Dossier
from applications.workflow import TransitionError
from audit.services import audit_record
from common.numbers import NotANumber, parse_french_decimal
from organisations.conflicts import Action, check_conflict
from payments.enums import BatchState, PaymentKind
from payments.models import Payment, PaymentBatch
from payments.models_finance import BudgetImputation, FinanceNumbers, PaymentMandate
from payments.services import mark_payment_paid
from payments.workflow import BATCH_WORKFLOW

PROFILE_COLUMNS = [
    "Chapitre",
    "Article",
    "Fonction",
    "AP/AE",
    "Numéro de tiers",
    "Numéro d'engagement juridique (EJ)",
]
RETURN_COLUMNS = [
    "Empreinte du lot",
    "Numéro de dossier",
    "Type de paiement",
    "Montant",
    "Numéro de mandat",
    "Date de paiement",
]
OPTIONAL_RETURN_COLUMNS = ["Numéro de tiers", "Numéro d'engagement juridique (EJ)"]
KIND_BY_LABEL = {label.lower(): value for value, label in PaymentKind.choices}
MAX_RETURN_BYTES = 5 * 1024 * 1024


def _is_finance(user, region_id: int) -> bool:
    from payments.batches import is_finance_of_region

    return is_finance_of_region(user, region_id)


def _require_finance(user, region_id: int) -> None:
    if not _is_finance(user, region_id):
        raise PermissionDenied("Seuls les agents financiers de la Région gèrent ces numéros.")


# --- Export profile -----------------------------------------------------------------------------


def region_has_profile(region_id: int) -> bool:
    return BudgetImputation.objects.filter(scheme__region_id=region_id).exists()


@transaction.atomic
def imputation_save(*, user, scheme, chapter: str, article: str, function: str, programme: str):
    _require_finance(user, scheme.region_id)
    values = {
        "chapter": chapter.strip()[:10],
        "article": article.strip()[:12],
        "function": function.strip()[:10],
        "programme": programme.strip()[:30],
    }
    current = BudgetImputation.objects.filter(scheme=scheme).first()
    if current and all(getattr(current, k) == v for k, v in values.items()):
        return current, False
    imputation, _ = BudgetImputation.objects.update_or_create(
        scheme=scheme, defaults={**values, "updated_by": user}
    )
    audit_record(actor=user, action="budget_imputation_save", obj=imputation, data=values)
    return imputation, True


def profile_cells(payments) -> dict[int, list[str]]:
    """The profile's cells of each payment (by id): the scheme's imputation, the dossier's
    tiers and EJ numbers (two queries for the whole batch)."""
    scheme_ids = {p.dossier.scheme_id for p in payments}
    imputations = {
        i.scheme_id: i for i in BudgetImputation.objects.filter(scheme_id__in=scheme_ids)
    }
    numbers = {
        n.dossier_id: n
        for n in FinanceNumbers.objects.filter(dossier_id__in={p.dossier_id for p in payments})
    }
    cells = {}
    for payment in payments:
        imputation = imputations.get(payment.dossier.scheme_id)
        known = numbers.get(payment.dossier_id)
        cells[payment.pk] = [
            imputation.chapter if imputation else "",
            imputation.article if imputation else "",
            imputation.function if imputation else "",
            imputation.programme if imputation else "",
            known.supplier_number if known else "",
            known.commitment_number if known else "",
        ]
    return cells


# --- Supplier and commitment numbers --------------------------------------------------------------


@transaction.atomic
def finance_numbers_set(
    *, user, dossier: Dossier, supplier_number: str, commitment_number: str
) -> FinanceNumbers:
    _require_finance(user, dossier.scheme.region_id)
    check_conflict(user, Action.BATCH, dossier)
    supplier_number, commitment_number = supplier_number.strip(), commitment_number.strip()
    for value in (supplier_number, commitment_number):
        if len(value) > 30 or any(not (c.isalnum() or c in "-_/.") for c in value):
            raise ValidationError(
                "Un numéro du logiciel financier compte au plus 30 lettres, chiffres ou - _ / ."
            )
    numbers, _ = FinanceNumbers.objects.get_or_create(dossier=dossier)
    before = {"tiers": numbers.supplier_number, "ej": numbers.commitment_number}
    numbers.supplier_number, numbers.commitment_number = supplier_number, commitment_number
    numbers.updated_by = user
    numbers.save()
    after = {"tiers": supplier_number, "ej": commitment_number}
    if before != after:
        audit_record(
            actor=user,
            action="finance_numbers_set",
            obj=dossier,
            data={"from": before, "to": after},
        )
    return numbers


# --- Return file ------------------------------------------------------------------------------


@dataclass
class ReturnLine:
    line: int
    payment: Payment
    mandate: str
    paid_on: date
    supplier_number: str
    commitment_number: str


def _parse_date(text: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def reconcile_return(batch: PaymentBatch, content: bytes) -> tuple[list[ReturnLine], list[str]]:
    """The return file read against the frozen batch: its lines, or every problem found."""
    if len(content) > MAX_RETURN_BYTES:
        return [], ["Le fichier de retour dépasse 5 Mo."]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["Le fichier de retour doit être un CSV encodé en UTF-8."]
    if "\x00" in text:
        return [], ["Le fichier de retour contient des caractères invalides."]
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if not rows:
        return [], ["Le fichier de retour est vide."]
    header = [cell.strip() for cell in rows[0]]
    missing = [name for name in RETURN_COLUMNS if name not in header]
    if missing:
        return [], ["Colonnes manquantes dans le fichier de retour : " + ", ".join(missing) + "."]
    at = {
        name: header.index(name)
        for name in [*RETURN_COLUMNS, *OPTIONAL_RETURN_COLUMNS]
        if name in header
    }
    payments = {
        (p.dossier.number, p.kind): p
        for p in batch.payments.select_related("dossier").order_by("pk")
    }
    exported_on = timezone.localtime(batch.exported_at).date() if batch.exported_at else None
    today = timezone.localdate()
    errors, lines, seen = [], [], set()

    def cell(row, name):
        index = at.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        where = f"Ligne {number}"
        if cell(row, "Empreinte du lot").lower() != batch.csv_sha256:
            errors.append(
                f"{where} : l'empreinte ne correspond pas au lot exporté (SHA-256 attendue "
                f"{batch.csv_sha256})."
            )
            continue
        kind = KIND_BY_LABEL.get(cell(row, "Type de paiement").lower())
        key = (cell(row, "Numéro de dossier"), kind)
        payment = payments.get(key)
        if payment is None:
            errors.append(
                f"{where} : aucun paiement « {cell(row, 'Type de paiement')} » du dossier "
                f"{key[0] or '(vide)'} dans ce lot."
            )
            continue
        if key in seen:
            errors.append(f"{where} : le paiement du dossier {key[0]} figure deux fois.")
            continue
        seen.add(key)
        try:
            amount = parse_french_decimal(cell(row, "Montant"))
        except NotANumber:
            amount = None
        if amount is None or Decimal(amount) != payment.amount:
            errors.append(
                f"{where} : le montant « {cell(row, 'Montant')} » diffère de celui du lot pour le "
                f"dossier {key[0]}."
            )
        mandate = cell(row, "Numéro de mandat")
        if not mandate or len(mandate) > 30:
            errors.append(f"{where} : le numéro de mandat est manquant ou trop long.")
        paid_on = _parse_date(cell(row, "Date de paiement"))
        if paid_on is None:
            errors.append(f"{where} : la date de paiement doit être au format JJ/MM/AAAA.")
        elif paid_on > today:
            errors.append(f"{where} : la date de paiement ne peut pas être dans le futur.")
        elif exported_on and paid_on < exported_on:
            errors.append(f"{where} : la date de paiement précède l'export du lot.")
        if not errors or errors[-1].split(" :")[0] != where:
            lines.append(
                ReturnLine(
                    number,
                    payment,
                    mandate,
                    paid_on,
                    cell(row, "Numéro de tiers")[:30],
                    cell(row, "Numéro d'engagement juridique (EJ)")[:30],
                )
            )
    for key, payment in payments.items():
        if key not in seen:
            errors.append(
                f"Le paiement « {payment.get_kind_display()} » du dossier {key[0]} manque dans le "
                "fichier de retour."
            )
    return lines, errors


def batch_import_return(*, user, batch: PaymentBatch, content: bytes) -> PaymentBatch:
    """Reconcile the return file against the frozen batch, then mark each payment paid.

    All or nothing: a single problem and nothing changes (the problems are listed)."""
    from payments.batches import _check_conflicts, _finance, _locked

    _finance(user, batch.region_id)
    return_sha256 = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        batch = _locked(batch)
        if batch.state == BatchState.PAID:
            raise TransitionError(f"Ce lot est déjà payé (le {batch.paid_on:%d/%m/%Y}).")
        if batch.state != BatchState.EXPORTED:
            raise TransitionError(
                "Exportez le lot vers le logiciel financier avant d'importer son fichier de retour."
            )
        _check_conflicts(user, batch.payments.values_list("pk", flat=True))
        lines, errors = reconcile_return(batch, content)
        if errors:
            raise ValidationError(errors)
        last = max(line.paid_on for line in lines)
        BATCH_WORKFLOW.apply(
            batch,
            "mark_paid",
            actor=user,
            fields={"paid_on": last},
            data={"paid_on": last.isoformat(), "return_sha256": return_sha256},
        )
        for line in lines:
            PaymentMandate.objects.create(
                payment=line.payment,
                number=line.mandate,
                paid_on=line.paid_on,
                return_sha256=return_sha256,
                imported_by=user,
            )
            if line.supplier_number or line.commitment_number:
                numbers, _ = FinanceNumbers.objects.get_or_create(
                    dossier_id=line.payment.dossier_id
                )
                numbers.supplier_number = line.supplier_number or numbers.supplier_number
                numbers.commitment_number = line.commitment_number or numbers.commitment_number
                numbers.updated_by = user
                numbers.save()
            mark_payment_paid(payment=line.payment, on=line.paid_on, actor=user)
        audit_record(
            actor=user,
            action="batch_return_import",
            obj=batch,
            from_state=BatchState.EXPORTED,
            to_state=BatchState.PAID,
            data={
                "return_sha256": return_sha256,
                "csv_sha256": batch.csv_sha256,
                "mandates": {str(line.payment.pk): line.mandate for line in lines},
            },
        )
    batch.refresh_from_db()
    return batch
