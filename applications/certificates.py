"""Company certificates fetched from API Entreprise instead of uploaded.

For a company dossier, the URSSAF attestation de vigilance and the DGFIP attestation de
régularité fiscale are fetched with the SIREN (organisations/api_entreprise.py), with the region's
SIRET as recipient and the dossier number as object, and stored as `CompanyCertificate` rows
(source, dates, SHA-256, the PDF through Django's storage API). When both are valid they stand for
the required piece « attestations de régularité fiscale et sociale »; when the API fails or does
not know the company, nothing is stored and the applicant uploads the piece, as before. Before a
payment, an expired certificate is fetched again (`refresh_company_certificates`).
"""

import hashlib
import logging
from datetime import date

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from applications.models import CompanyCertificate, Dossier
from audit.services import audit_record
from organisations import api_entreprise
from organisations.enums import OrganisationKind

logger = logging.getLogger(__name__)

# The required piece the two certificates stand for (schemes/core/params_hdf.py).
COVERED_DOCUMENT = "tax_social_certificates"


def certificates_apply(dossier: Dossier) -> bool:
    """Only companies with a SIRET are served by API Entreprise (associations and public bodies
    file their own certificates)."""
    organisation = dossier.organisation
    return organisation.kind == OrganisationKind.COMPANY and len(organisation.siren or "") == 9


def current_certificates(dossier: Dossier) -> dict[str, CompanyCertificate]:
    """The latest certificate of each kind (prefetched `certificates` are used when present)."""
    latest: dict[str, CompanyCertificate] = {}
    for certificate in dossier.certificates.all():
        known = latest.get(certificate.kind)
        if known is None or certificate.fetched_at > known.fetched_at:
            latest[certificate.kind] = certificate
    return latest


def certificates_cover(dossier: Dossier, *, today: date | None = None) -> bool:
    """Both certificates are held and valid today: the applicant need not upload them."""
    if not certificates_apply(dossier):
        return False
    today = today or timezone.localdate()
    latest = current_certificates(dossier)
    return all(kind in latest and latest[kind].is_valid_on(today) for kind in api_entreprise.KINDS)


def certificates_overview(dossier: Dossier, *, today: date | None = None) -> list[dict]:
    """For the agent's review page: each certificate with its freshness, in French."""
    today = today or timezone.localdate()
    latest = current_certificates(dossier)
    rows = []
    for kind, label in CompanyCertificate.Kind.choices:
        certificate = latest.get(kind)
        if certificate is None:
            rows.append({"label": label, "certificate": None, "freshness": "non récupérée"})
            continue
        if certificate.is_valid_on(today):
            days = (certificate.valid_until - today).days
            freshness = f"valable encore {days} jour{'s' if days > 1 else ''}"
        else:
            freshness = f"expirée depuis le {certificate.valid_until:%d/%m/%Y}"
        rows.append(
            {
                "label": label,
                "certificate": certificate,
                "freshness": freshness,
                "valid": certificate.is_valid_on(today),
            }
        )
    return rows


def certificate_fetch(*, dossier: Dossier, kind: str, today: date | None = None):
    """Fetch one certificate and store it. Raises api_entreprise.CertificateUnavailable (or its
    subclass CompanyNotCovered) and stores nothing when the API cannot give it."""
    today = today or timezone.localdate()
    fetched = api_entreprise.get_client().fetch(
        kind,
        siren=dossier.organisation.siren,
        recipient=dossier.scheme.region.siret,
        object_=dossier.number or f"dossier {dossier.pk}",
        today=today,
    )
    digest = hashlib.sha256(fetched.content).hexdigest()
    certificate = CompanyCertificate(
        dossier=dossier,
        kind=kind,
        source=fetched.source,
        siren=fetched.siren,
        issued_on=fetched.issued_on,
        valid_until=fetched.valid_until,
        status=fetched.status[:120],
        sha256=digest,
    )
    certificate.file.save(
        f"{dossier.pk}-{kind}-{fetched.issued_on:%Y%m%d}.pdf",
        ContentFile(fetched.content),
        save=False,
    )
    with transaction.atomic():
        certificate.full_clean(exclude=["file"])
        certificate.save()
        audit_record(
            actor=None,
            action="certificate_fetch",
            obj=certificate,
            data={
                "dossier": dossier.pk,
                "kind": kind,
                "source": fetched.source,
                "issued_on": fetched.issued_on.isoformat(),
                "valid_until": fetched.valid_until.isoformat(),
                "sha256": digest,
            },
        )
    return certificate


def certificates_fetch_missing(*, dossier: Dossier, today: date | None = None) -> list[str]:
    """Fetch each certificate not held valid today. Returns the kinds that failed for a passing
    reason (worth a retry); an unknown company is logged and not retried."""
    if not certificates_apply(dossier):
        return []
    today = today or timezone.localdate()
    latest = current_certificates(dossier)
    failed = []
    for kind in api_entreprise.KINDS:
        if kind in latest and latest[kind].is_valid_on(today):
            continue
        try:
            certificate_fetch(dossier=dossier, kind=kind, today=today)
        except api_entreprise.CompanyNotCovered as exc:
            logger.info("No %s from API Entreprise for dossier %s: %s", kind, dossier.pk, exc)
        except api_entreprise.CertificateUnavailable as exc:
            logger.warning("API Entreprise %s failed for dossier %s: %s", kind, dossier.pk, exc)
            failed.append(kind)
    return failed


def request_certificates(dossier: Dossier) -> None:
    """Queue the fetch after the current transaction, when the dossier still lacks them."""
    if not certificates_apply(dossier) or certificates_cover(dossier):
        return
    from applications.tasks import fetch_company_certificates

    dossier_id = dossier.pk
    transaction.on_commit(lambda: fetch_company_certificates.delay(dossier_id))
