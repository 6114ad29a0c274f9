"""Payment batches: finance groups validated payments, exports them once, then marks them paid.

A batch is OPEN while payments are added or removed, EXPORTED (frozen) once its CSV and XLSX are
written with their SHA-256, and PAID when the financial software has paid it. Every state change is
compare-and-set on the locked batch row; exporting twice returns the frozen files unchanged.
"""

import csv
import hashlib
import io
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.enums import Role
from applications.models import DossierDocument
from applications.workflow import TransitionError
from audit.services import audit_record
from common.spreadsheet import csv_row, xlsx_text
from organisations.conflicts import Action, check_conflict
from payments.enums import BatchState, RequestState
from payments.finance_numbers import PROFILE_COLUMNS, profile_cells, region_has_profile
from payments.models import Payment, PaymentBatch
from payments.services import mark_payment_paid
from payments.workflow import BATCH_WORKFLOW

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = [
    "SIRET du bénéficiaire",
    "Nom",
    "Adresse",
    "IBAN",
    "BIC",
    "Montant",
    "Dispositif",
    "Enveloppe budgétaire",
    "Référence de la décision d'attribution",
    "Type de paiement",
    "Numéro de dossier",
]
AMOUNT_INDEX = COLUMNS.index("Montant")


def is_finance_of_region(user, region_id: int) -> bool:
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.role_assignments.filter(role=Role.FINANCE, region_id=region_id).exists()


def _finance(user, region_id: int) -> None:
    if not is_finance_of_region(user, region_id):
        raise PermissionDenied(
            "Seuls les agents financiers de la Région gèrent ses lots de paiements."
        )


def batchable_payments(region_ids) -> QuerySet:
    """Validated payments of these regions that are not in a batch yet."""
    return Payment.objects.filter(
        batch__isnull=True,
        request__state=RequestState.VALIDATED,
        dossier__scheme__region_id__in=region_ids,
    )


def _check_conflicts(user, payment_ids) -> None:
    """Separation of duties: no payment of a dossier the officer has a part in (refused whole)."""
    payments = Payment.objects.filter(pk__in=payment_ids).select_related(
        "request", "dossier__organisation", "dossier__review"
    )
    for payment in payments.order_by("pk"):
        try:
            check_conflict(user, Action.BATCH, payment.dossier, payment.request)
        except PermissionDenied as exc:
            raise PermissionDenied(f"Dossier {payment.dossier.number} : {exc}") from exc


def _locked(batch: PaymentBatch) -> PaymentBatch:
    return PaymentBatch.objects.select_for_update().get(pk=batch.pk)


def _ids(payments) -> list[int]:
    return sorted({p if isinstance(p, int) else p.pk for p in payments})


@transaction.atomic
def batch_add_payments(*, user, batch: PaymentBatch, payments) -> PaymentBatch:
    batch = _locked(batch)
    _finance(user, batch.region_id)
    if batch.state != BatchState.OPEN:
        raise TransitionError(
            "Ce lot est exporté : il est figé, on ne peut plus y ajouter de paiement."
        )
    ids = _ids(payments)
    if not ids:
        raise ValidationError("Cochez au moins un paiement validé.")
    _check_conflicts(user, ids)
    # Compare-and-set: a payment taken by another batch meanwhile is not stolen.
    moved = batchable_payments([batch.region_id]).filter(pk__in=ids).update(batch=batch)
    if moved != len(ids):
        raise TransitionError(
            "Certains paiements ne sont plus disponibles (déjà dans un lot, ou d'une autre région) : "
            "rechargez la page."
        )
    audit_record(actor=user, action="batch_add", obj=batch, data={"payments": ids})
    return batch


@transaction.atomic
def batch_create(*, user, region, payments) -> PaymentBatch:
    """A dated batch of validated payments of `region` (finance of that region only)."""
    _finance(user, region.pk)
    today = timezone.localdate()
    batch = PaymentBatch.objects.create(
        region=region, label=f"Lot {region.code} du {today:%d/%m/%Y}", created_by=user
    )
    PaymentBatch.objects.filter(pk=batch.pk).update(label=f"{batch.label} (n° {batch.pk})")
    batch.refresh_from_db()
    audit_record(actor=user, action="batch_create", obj=batch, data={"region": region.code})
    return batch_add_payments(user=user, batch=batch, payments=payments)


@transaction.atomic
def batch_remove_payment(*, user, batch: PaymentBatch, payment: Payment) -> PaymentBatch:
    batch = _locked(batch)
    _finance(user, batch.region_id)
    if batch.state != BatchState.OPEN:
        raise TransitionError(
            "Ce lot est exporté : il est figé, on ne peut plus en retirer de paiement."
        )
    if not Payment.objects.filter(pk=payment.pk, batch=batch).update(batch=None):
        raise TransitionError("Ce paiement n'est pas dans ce lot.")
    audit_record(actor=user, action="batch_remove", obj=batch, data={"payment": payment.pk})
    return batch


def batch_rows(batch: PaymentBatch) -> list[list]:
    """The rows of the export, in one query (the award reference by subquery)."""
    award_reference = (
        DossierDocument.objects.filter(
            dossier=OuterRef("dossier_id"),
            kind=DossierDocument.Kind.AWARD,
            superseded_at__isnull=True,
        )
        .order_by("-created_at", "-pk")
        .values("reference")[:1]
    )
    payments = (
        batch.payments.select_related("dossier__organisation", "dossier__scheme", "envelope")
        .annotate(award_reference=Subquery(award_reference))
        .order_by("dossier__number", "pk")
    )
    payments = list(payments)
    profile = profile_cells(payments) if region_has_profile(batch.region_id) else None
    rows = []
    for payment in payments:
        organisation, dossier = payment.dossier.organisation, payment.dossier
        city = " ".join(p for p in (organisation.postal_code, organisation.city) if p)
        address = ", ".join(p for p in (organisation.address, city) if p)
        envelope = payment.envelope
        rows.append(
            [
                organisation.siret,
                organisation.name,
                address,
                payment.iban,
                payment.bic,
                payment.amount,
                dossier.scheme.code,
                f"AE {envelope.year} {dossier.scheme.code}" if envelope else "",
                payment.award_reference or "",
                payment.get_kind_display(),
                dossier.number,
                *(profile[payment.pk] if profile is not None else []),
            ]
        )
    return rows


def export_columns(batch: PaymentBatch) -> list[str]:
    """The export's header: with the region's export profile, the imputation, tiers and EJ."""
    return [*COLUMNS, *PROFILE_COLUMNS] if region_has_profile(batch.region_id) else COLUMNS


def render_csv(rows: list[list], columns: list[str] = COLUMNS) -> bytes:
    """`;`-separated, UTF-8 with BOM (Excel), decimal comma, no thousands separator."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        cells = csv_row(row)
        cells[AMOUNT_INDEX] = f"{Decimal(row[AMOUNT_INDEX]):.2f}".replace(".", ",")
        writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_xlsx(rows: list[list], *, title: str, columns: list[str] = COLUMNS) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Paiements"
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        cells = list(row)
        cells[AMOUNT_INDEX] = Decimal(cells[AMOUNT_INDEX])
        sheet.append(cells)
        for cell in sheet[sheet.max_row]:
            xlsx_text(cell)
        sheet.cell(row=sheet.max_row, column=AMOUNT_INDEX + 1).number_format = '#,##0.00" €"'
    for column in ("A", "D"):  # SIRET and IBAN stay text
        for cell in sheet[column]:
            cell.number_format = "@"
    workbook.properties.title = title
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def batch_fingerprint(batch: PaymentBatch) -> str:
    """What the confirmation page showed (each payment and its amount), to export exactly that."""
    items = batch.payments.order_by("pk").values_list("pk", "amount")
    text = ";".join(f"{pk}:{amount:.2f}" for pk, amount in items)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def batch_export(*, user, batch: PaymentBatch, fingerprint: str | None = None) -> PaymentBatch:
    """OPEN → EXPORTED: write the CSV and XLSX once, record their SHA-256 and freeze the batch.

    Exporting an exported (or paid) batch returns it as it is: the files are never rewritten.
    With `fingerprint` (from the confirmation page), a batch changed since is not exported.
    """
    _finance(user, batch.region_id)
    written = []
    try:
        with transaction.atomic():
            batch = _locked(batch)
            if batch.state != BatchState.OPEN:
                return batch
            if fingerprint is not None and fingerprint != batch_fingerprint(batch):
                raise TransitionError(
                    "Le lot a changé depuis l'affichage de la confirmation : vérifiez-le à nouveau "
                    "avant de l'exporter."
                )
            _check_conflicts(user, batch.payments.values_list("pk", flat=True))
            rows = batch_rows(batch)
            if not rows:
                raise ValidationError("Un lot vide ne peut pas être exporté.")
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            base = f"lot-{batch.region.code.lower()}-{batch.pk}-{stamp}"
            columns = export_columns(batch)
            csv_bytes = render_csv(rows, columns)
            xlsx_bytes = render_xlsx(rows, title=batch.label, columns=columns)
            batch.csv_file.save(f"{base}.csv", ContentFile(csv_bytes), save=False)
            written.append(batch.csv_file)
            batch.xlsx_file.save(f"{base}.xlsx", ContentFile(xlsx_bytes), save=False)
            written.append(batch.xlsx_file)
            batch.csv_sha256, batch.xlsx_sha256 = _sha256(csv_bytes), _sha256(xlsx_bytes)
            batch.exported_at = timezone.now()
            BATCH_WORKFLOW.apply(
                batch,
                "export",
                actor=user,
                fields={
                    "csv_file": batch.csv_file.name,
                    "xlsx_file": batch.xlsx_file.name,
                    "csv_sha256": batch.csv_sha256,
                    "xlsx_sha256": batch.xlsx_sha256,
                    "exported_at": batch.exported_at,
                },
                data={
                    "payments": len(rows),
                    "csv_sha256": batch.csv_sha256,
                    "xlsx_sha256": batch.xlsx_sha256,
                },
            )
    except BaseException:
        for field_file in written:
            field_file.delete(save=False)
        raise
    batch.refresh_from_db()
    return batch


@transaction.atomic
def batch_mark_paid(*, user, batch: PaymentBatch, paid_on: date) -> PaymentBatch:
    """EXPORTED → PAID: each payment is marked paid, its dossier moves on, the members are told."""
    batch = _locked(batch)
    _finance(user, batch.region_id)
    if batch.state != BatchState.EXPORTED:
        if batch.state == BatchState.PAID:
            raise TransitionError(f"Ce lot a déjà été marqué payé le {batch.paid_on:%d/%m/%Y}.")
        raise TransitionError(
            "Exportez le lot vers le logiciel financier avant de le marquer payé."
        )
    if paid_on > timezone.localdate():
        raise ValidationError("La date de paiement ne peut pas être dans le futur.")
    if batch.exported_at and paid_on < timezone.localtime(batch.exported_at).date():
        raise ValidationError("La date de paiement ne peut pas précéder l'export du lot.")
    _check_conflicts(user, batch.payments.values_list("pk", flat=True))
    payments = list(batch.payments.select_related("request").order_by("pk"))
    BATCH_WORKFLOW.apply(
        batch,
        "mark_paid",
        actor=user,
        fields={"paid_on": paid_on},
        data={"paid_on": paid_on.isoformat(), "payments": [p.pk for p in payments]},
    )
    for payment in payments:
        mark_payment_paid(payment=payment, on=paid_on, actor=user)
    return batch
