"""Electronic signature of the acts (PAdES, pyHanko) and its verification.

The acknowledgement, the award decision (arrêté or extract of délibération) and the rejection
letter are signed with the region's certificate: a PKCS#12 file named by
`DOCUMENTS_SIGNING_PKCS12` (a path; `{region}` in it is replaced by the region's code, so each
region may have its own) and its passphrase `DOCUMENTS_SIGNING_PASSPHRASE`. When
`DOCUMENTS_TSA_URL` is set, an RFC 3161 time-stamp from that authority is embedded (PAdES B-T).
The signature is visible: a block at the place the template marks (`SIGNATURE_ANCHOR`) names the
signatory and their delegation. `manage.py seed_demo` generates a self-signed demo certificate per
region (never committed), whose subject says it is a demonstration certificate.
"""

import asyncio
import glob
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.keys import load_certs_from_pemder, load_certs_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

SIGNATURE_ANCHOR = "signature-electronique"  # id of the template's placeholder
FIELD_NAME = "SignatureRegion"
DEMO_MARK = "DEMONSTRATION"  # in the organisation of a demo certificate's subject
DEMO_ORGANISATION = f"{DEMO_MARK} - sans valeur juridique"
CSS_PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels (1/96 in), PDF counts points (1/72 in)
STAMP_TEXT = "Signé électroniquement\n%(delegation)s\n%(signatory)s\nle %(ts)s"


@dataclass(frozen=True)
class Signatory:
    """Who signs, by which delegation, for which region (from the region's settings)."""

    region_code: str
    region_name: str
    delegation: str
    name: str = ""
    title: str = ""

    @property
    def signed_by(self) -> str:
        return ", ".join(part for part in (self.name, self.title) if part) or self.region_name


@dataclass(frozen=True)
class Placement:
    """Where the visible signature goes: page index and box in PDF points."""

    page: int
    box: tuple[int, int, int, int]


class SigningUnavailable(Exception):
    """A certificate is configured but cannot be used (English, for logs; the task retries)."""


def _outside_event_loop(function, *args, **kwargs):
    """Call one of pyHanko's synchronous functions (they run their own asyncio loop) from a
    worker thread when this thread already runs a loop (an ASGI view, a browser test)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


# --- Certificates ---------------------------------------------------------------------------


def certificate_path(region_code: str) -> Path | None:
    pattern = settings.DOCUMENTS_SIGNING_PKCS12
    return Path(pattern.replace("{region}", region_code)) if pattern else None


def load_signer(region_code: str) -> signers.SimpleSigner | None:
    """The region's signer, or None when signing is not configured (an unsigned act is logged).

    In development the default path is the demo certificate made by `seed_demo`: missing, the
    acts are issued unsigned. Outside DEBUG a configured but unreadable certificate is an error.
    """
    path = certificate_path(region_code)
    if path is None:
        return None
    if not path.exists():
        if settings.DEBUG:
            logger.warning("No signing certificate at %s: acts issued unsigned", path)
            return None
        raise SigningUnavailable(f"Signing certificate {path} is missing")
    passphrase = settings.DOCUMENTS_SIGNING_PASSPHRASE
    try:
        return signers.SimpleSigner.load_pkcs12_data(
            path.read_bytes(),
            other_certs=_extra_certificates(),
            passphrase=passphrase.encode() if passphrase else None,
        )
    except (OSError, ValueError) as exc:
        raise SigningUnavailable(f"Signing certificate {path} cannot be read: {exc}") from exc


def _extra_certificates() -> list:
    """The certification chain of the regions' certificates (DOCUMENTS_SIGNING_CHAIN files,
    PEM or DER), as asn1crypto certificates."""
    return list(load_certs_from_pemder(settings.DOCUMENTS_SIGNING_CHAIN))


def region_certificates() -> list:
    """The regions' own signing certificates (DOCUMENTS_SIGNING_PKCS12 files), as asn1crypto
    certificates."""
    certificates = []
    pattern = settings.DOCUMENTS_SIGNING_PKCS12
    if pattern:
        passphrase = settings.DOCUMENTS_SIGNING_PASSPHRASE
        for path in sorted(glob.glob(pattern.replace("{region}", "*"))):
            try:
                _key, cert, _more = pkcs12.load_key_and_certificates(
                    Path(path).read_bytes(), passphrase.encode() if passphrase else None
                )
            except (OSError, ValueError):
                logger.warning("Unreadable signing certificate %s", path)
                continue
            if cert is not None:
                pem = cert.public_bytes(serialization.Encoding.PEM)
                certificates.extend(load_certs_from_pemder_data(pem))
    return certificates


def trusted_certificates() -> list:
    """What a portal signature chains to: the configured chain and the regions' certificates
    themselves (a self-signed demo certificate is its own root)."""
    return list(_extra_certificates()) + region_certificates()


def demo_certificate_paths(region_codes) -> dict[str, Path]:
    """Where each region's certificate is expected, when that is the demo folder (else none:
    a real certificate is never replaced by a demo one)."""
    demo_dir = Path(settings.DOCUMENTS_DEMO_SIGNING_DIR).resolve()
    paths = {code: certificate_path(code) for code in region_codes}
    return {
        code: path
        for code, path in paths.items()
        if path is not None and path.resolve().parent == demo_dir
    }


def make_demo_certificate(path: Path, *, region_code: str, region_name: str) -> Path:
    """A self-signed demonstration certificate for a region, as an unencrypted PKCS#12 file.

    Generated at seed time on the machine, never committed; its subject says it has no legal
    value, and the verification reports it as a demonstration certificate."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEMO_ORGANISATION),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"Région {region_name} ({region_code}) - démonstration"
            ),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        f"demo-{region_code}".encode(), key, cert, None, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)
    return path


# --- Signing --------------------------------------------------------------------------------


def placement_from_anchor(document) -> Placement | None:
    """Where the template put SIGNATURE_ANCHOR in a rendered WeasyPrint document, in PDF points
    (WeasyPrint gives the element's rectangle in CSS pixels from the page's top-left corner)."""
    for index, page in enumerate(document.pages):
        if SIGNATURE_ANCHOR in page.anchors:
            x1, y1, x2, y2 = page.anchors[SIGNATURE_ANCHOR][:4]
            height = page.height
            box = (x1, height - y2, x2, height - y1)
            return Placement(page=index, box=tuple(round(v * CSS_PX_TO_PT) for v in box))
    return None


def sign_pdf(
    pdf: bytes,
    *,
    signer: signers.Signer,
    signatory: Signatory,
    placement: Placement | None = None,
) -> bytes:
    """The PDF signed (PAdES) by `signer` (load_signer), with a visible block at `placement` and
    a time-stamp when DOCUMENTS_TSA_URL is set."""
    demo = is_demo(signer.signing_cert)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="Acte de la Région " + signatory.region_name,
        location=signatory.region_name,
        name=signatory.signed_by,
    )
    field_spec = fields.SigFieldSpec(
        sig_field_name=FIELD_NAME,
        on_page=placement.page if placement else 0,
        box=placement.box if placement else None,
    )
    stamp_text = STAMP_TEXT + ("\nCertificat de démonstration" if demo else "")
    timestamper = None
    if settings.DOCUMENTS_TSA_URL:
        timestamper = timestamps.HTTPTimeStamper(
            settings.DOCUMENTS_TSA_URL, timeout=settings.DOCUMENTS_TSA_TIMEOUT
        )
    pdf_signer = signers.PdfSigner(
        meta,
        signer,
        timestamper=timestamper,
        stamp_style=TextStampStyle(stamp_text=stamp_text, timestamp_format="%d/%m/%Y %H:%M UTC"),
        new_field_spec=field_spec,
    )
    output = _outside_event_loop(
        pdf_signer.sign_pdf,
        IncrementalPdfFileWriter(BytesIO(pdf)),
        appearance_text_params={
            "delegation": signatory.delegation,
            "signatory": signatory.signed_by,
        },
    )
    return output.getvalue()


# --- Verification ---------------------------------------------------------------------------


def is_demo(certificate) -> bool:
    """Whether an (asn1crypto) certificate is a demo one made by `make_demo_certificate`."""
    organisation = certificate.subject.native.get("organization_name") or ""
    if isinstance(organisation, list):
        organisation = " ".join(organisation)
    return DEMO_MARK in organisation


@dataclass(frozen=True)
class SignatureCheck:
    """What pyHanko's validator says of one embedded signature, in plain fields."""

    signer: str
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature is correct
    trusted: bool  # the certificate is one of the regions' own, and chains to a trusted root
    whole_file: bool  # nothing was added after the signature
    signed_at: datetime | None
    timestamped: bool
    demo: bool

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.whole_file


def check_signatures(pdf: bytes) -> list[SignatureCheck]:
    """Validate every signature of a PDF against the regions' certificates (never raises on a
    damaged file: it has no valid signature then)."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # noqa: BLE001 - any unreadable file is "no signature", not a crash
        logger.info("Unreadable PDF submitted for verification")
        return []
    trusted = trusted_certificates()
    # The chain's CA may issue certificates to others: only the regions' own signing
    # certificates make a portal signature.
    own = {cert.sha256 for cert in region_certificates()}
    checks = []
    for signature in embedded:
        context = ValidationContext(trust_roots=trusted, allow_fetching=False)
        try:
            status = _outside_event_loop(validate_pdf_signature, signature, context)
        except Exception:  # noqa: BLE001 - a broken signature is reported as invalid
            logger.info("Signature %s could not be validated", signature.field_name)
            checks.append(SignatureCheck("", False, False, False, False, None, False, False))
            continue
        cert = status.signing_cert
        checks.append(
            SignatureCheck(
                signer=cert.subject.human_friendly if cert is not None else "",
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted) and cert is not None and cert.sha256 in own,
                whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                signed_at=status.signer_reported_dt,
                timestamped=status.timestamp_validity is not None,
                demo=cert is not None and is_demo(cert),
            )
        )
    return checks
