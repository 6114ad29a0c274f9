"""Attachments of a dossier: which documents are required, adding and removing files."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from applications import permissions
from applications.enums import ScanStatus
from applications.models import Attachment, Dossier
from applications.situation import dossier_situation
from applications.uploads import validate_upload
from audit.services import audit_record
from outbox.services import enqueue
from schemes import core
from schemes.selectors import rule_versions

OTHER_CODE = "other"
OTHER_LABEL = "Autre pièce"


def _require(allowed_and_why: tuple[bool, str]) -> None:
    allowed, why = allowed_and_why
    if not allowed:
        raise PermissionDenied(why)


def scanner_configured() -> bool:
    return bool(getattr(settings, "CLAMAV_ADDRESS", ""))


def required_documents_for(dossier: Dossier) -> list[dict]:
    """The documents the rule version asks of this dossier at filing ({"code", "label", ...})."""
    situation = dossier_situation(dossier, filed_on=dossier.filed_on or timezone.localdate())
    try:
        documents = core.required_documents(situation, versions=rule_versions())
    except core.InputError:
        # A draft whose answers the rules cannot read yet: no list can be derived, the
        # applicant may still file under « Autre pièce » and the list appears once answered.
        return []
    return [doc for doc in documents if doc.get("when") != "payment"]


def document_choices(dossier: Dossier) -> list[tuple[str, str]]:
    """(code, label) pairs an applicant may file under: the required documents, then « Autre »."""
    choices = [(doc["code"], doc["label"]) for doc in required_documents_for(dossier)]
    return choices + [(OTHER_CODE, OTHER_LABEL)]


def attachment_add(*, user, dossier: Dossier, document_code: str, uploaded_file) -> Attachment:
    """Validate and store one file for a dossier; queue its antivirus scan when one is set up."""
    _require(permissions.can_add_documents(user, dossier))
    if document_code not in dict(document_choices(dossier)):
        raise ValidationError("Choisissez la pièce à laquelle correspond ce fichier.", code="code")
    validated = validate_upload(uploaded_file, dossier=dossier)
    scan = scanner_configured()
    attachment = Attachment(
        dossier=dossier,
        document_code=document_code,
        original_name=validated.original_name,
        size=validated.size,
        mime_type=validated.mime_type,
        sha256=validated.sha256,
        scan_status=ScanStatus.PENDING if scan else ScanStatus.NOT_SCANNED,
        uploaded_by=user,
    )
    attachment.file.save(validated.storage_name, uploaded_file, save=False)
    try:
        with transaction.atomic():
            attachment.save()
            audit_record(
                actor=user,
                action="attachment_add",
                obj=attachment,
                data={
                    "dossier": dossier.pk,
                    "document_code": document_code,
                    "name": validated.original_name,
                    "sha256": validated.sha256,
                    "size": validated.size,
                    "mime_type": validated.mime_type,
                },
            )
            if scan:
                from applications.scanning import scan_attachment

                enqueue(scan_attachment, attachment_id=attachment.pk)
    except Exception:
        # No row: no orphan file in the private folder either.
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_remove(*, user, attachment: Attachment) -> None:
    """Remove a file while the dossier is still a draft; the stored file goes too."""
    dossier = attachment.dossier
    _require(permissions.can_edit(user, dossier))
    # A quarantined file stays where it is, for the security team; any other file goes.
    name = "" if attachment.scan_status == ScanStatus.INFECTED else attachment.file.name
    storage = attachment.file.storage
    data = {
        "dossier": dossier.pk,
        "document_code": attachment.document_code,
        "name": attachment.original_name,
        "sha256": attachment.sha256,
    }
    with transaction.atomic():
        audit_record(actor=user, action="attachment_remove", obj=attachment, data=data)
        attachment.delete()
        # Delete the file only once the row is gone for good.
        transaction.on_commit(lambda: storage.delete(name) if name else None)


def scan_explanation(attachment: Attachment) -> str:
    """What the antivirus status of a file means for the applicant, and when the scan happens."""
    status = attachment.scan_status
    if status == ScanStatus.CLEAN:
        return "Analyse antivirus faite : aucun virus détecté."
    if status == ScanStatus.INFECTED:
        return (
            "Un virus a été détecté : ce fichier est mis en quarantaine et ne sera pas transmis. "
            "Déposez une copie saine."
        )
    if status == ScanStatus.ERROR:
        return (
            "Analyse antivirus à refaire : l'antivirus n'a pas pu lire ce fichier pour le "
            "moment. Elle est relancée automatiquement dans le quart d'heure : vous n'avez "
            "rien à faire."
        )
    if status == ScanStatus.PENDING or (
        scanner_configured() and getattr(settings, "CLAMAV_REQUIRED", False)
    ):
        return (
            "Analyse antivirus en attente : elle a lieu dans les minutes qui suivent le dépôt. "
            "Vous n'avez rien à faire ; si un virus était trouvé, vous seriez prévenu par "
            "courriel."
        )
    return (
        "Pas d'analyse antivirus : aucun antivirus n'est branché sur ce portail (environnement "
        "de démonstration ou de test). Le type, la taille et le contenu du fichier ont été "
        "contrôlés au dépôt."
    )


def documents_overview(dossier: Dossier) -> list[dict]:
    """Each document the dossier asks for, with its files, then the other files.

    Uses `dossier.attachments.all()`, so a prefetched dossier costs no query per document.
    """
    from applications.certificates import COVERED_DOCUMENT, certificates_cover

    files = list(dossier.attachments.all())
    groups = []
    required = required_documents_for(dossier)
    for doc in required:
        mine = [a for a in files if a.document_code == doc["code"]]
        provided = any(a.scan_status != ScanStatus.INFECTED for a in mine)
        # Fetched from API Entreprise (applications/certificates.py): no upload needed.
        fetched = doc["code"] == COVERED_DOCUMENT and certificates_cover(dossier)
        groups.append(
            {
                "code": doc["code"],
                "label": doc["label"],
                "files": mine,
                "required": True,
                "provided": provided or fetched,
                "fetched": fetched,
            }
        )
    known = {doc["code"] for doc in required}
    others = [a for a in files if a.document_code not in known]
    groups.append(
        {
            "code": OTHER_CODE,
            "label": OTHER_LABEL,
            "files": others,
            "required": False,
            "provided": bool(others),
        }
    )
    return groups
