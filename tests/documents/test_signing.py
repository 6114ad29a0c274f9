"""Signed acts (issue 20 point 3): the acknowledgement, the award and the rejection letter are
signed (PAdES) with the region's certificate, checked here with pyHanko's own validator."""

import io
import re

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from applications.models import DossierDocument
from applications.receipt import ensure_receipt
from documents import issuing, signing
from instruction.documents import ensure_document
from tests.pdf import pdf_text

Kind = DossierDocument.Kind


# Their dossiers come through request.getfixturevalue: marked here so that pytest-django runs
# them with the database tests, before the transactional ones flush the reference data.
pytestmark = pytest.mark.django_db


@pytest.fixture
def certificates(settings, tmp_path):
    """A demo certificate per region, as seed_demo makes them, configured as in production."""
    settings.DOCUMENTS_SIGNING_PKCS12 = str(tmp_path / "{region}.p12")
    for code, name in (("HDF", "Hauts-de-France"), ("PDL", "Pays de la Loire")):
        signing.make_demo_certificate(tmp_path / f"{code}.p12", region_code=code, region_name=name)
    return tmp_path


def validate(pdf: bytes):
    """pyHanko's validator, trusting the regions' certificates only."""
    reader = PdfFileReader(io.BytesIO(pdf))
    [signature] = reader.embedded_signatures
    context = ValidationContext(trust_roots=signing.trusted_certificates(), allow_fetching=False)
    return validate_pdf_signature(signature, context)


@pytest.mark.parametrize("kind", [Kind.ACKNOWLEDGMENT, Kind.AWARD, Kind.REJECTION])
def test_acts_are_signed_with_the_region_certificate(kind, certificates, request):
    dossier = request.getfixturevalue("rejection" if kind == Kind.REJECTION else "award")
    document = ensure_document(dossier, kind)
    pdf = issuing.stored_bytes(document)
    status = validate(pdf)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert "HDF" in status.signing_cert.subject.human_friendly
    assert document.sha256 == issuing.sha256_hex(pdf)  # the hash is that of the signed file
    [check] = signing.check_signatures(pdf)
    assert check.ok and check.demo


def test_the_visible_signature_names_the_signatory_and_the_delegation(certificates, award):
    region = award.scheme.region
    region.signatory_name = "Camille Martin"
    region.signatory_title = "Directrice de l'économie"
    region.save()
    pdf = issuing.stored_bytes(ensure_document(award, Kind.AWARD))
    reader = PdfFileReader(io.BytesIO(pdf))
    [signature] = reader.embedded_signatures
    annotation = signature.sig_field
    assert annotation["/Rect"][2] > annotation["/Rect"][0]  # a visible box, not a hidden field
    stream = annotation["/AP"]["/N"].get_object().data  # PDF strings escape accents in octal
    appearance = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m[1], 8)]), stream).decode("latin-1")
    assert "Camille Martin, Directrice de l'économie" in appearance
    assert region.signatory_delegation in appearance
    assert "monstration" in appearance  # the demo certificate says so on the document
    assert "Camille Martin" in pdf_text(pdf)


def test_a_modified_pdf_fails_the_check(certificates, award):
    pdf = issuing.stored_bytes(ensure_document(award, Kind.AWARD))
    tampered = pdf.replace(b"3200", b"9200", 1) if b"3200" in pdf else None
    if tampered is None:  # amounts are in compressed streams: flip one byte inside the signed part
        position = len(pdf) // 3
        tampered = pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1 :]
    status = validate(tampered)
    assert not (status.intact and status.valid)
    assert not any(check.ok for check in signing.check_signatures(tampered))


def test_a_signature_added_after_the_act_is_not_the_whole_file(certificates, award):
    pdf = issuing.stored_bytes(ensure_document(award, Kind.AWARD))
    appended = pdf + b"\n% appended after signing\n"
    [check] = signing.check_signatures(appended)
    assert not check.ok


def test_a_certificate_of_somebody_else_is_not_trusted(certificates, award, tmp_path, settings):
    pdf = issuing.stored_bytes(ensure_document(award, Kind.AWARD))
    # The region's certificate is replaced: what the old one signed no longer chains to it.
    signing.make_demo_certificate(
        certificates / "HDF.p12", region_code="HDF", region_name="Hauts-de-France"
    )
    [check] = signing.check_signatures(pdf)
    assert check.intact and not check.trusted and not check.ok


def test_the_receipt_is_not_signed(certificates, award):
    pdf = issuing.stored_bytes(ensure_receipt(award))
    assert signing.check_signatures(pdf) == []


def test_without_certificate_acts_are_issued_unsigned(award):
    pdf = issuing.stored_bytes(ensure_document(award, Kind.AWARD))
    assert signing.check_signatures(pdf) == []


def test_seed_demo_makes_one_flagged_certificate_per_region_and_keeps_it(settings, tmp_path, db):
    from portal.management.commands.seed_demo import Command
    from tests.factories import region

    for code in ("HDF", "PDL", "IDF"):
        region(code)
    settings.DOCUMENTS_DEMO_SIGNING_DIR = tmp_path
    settings.DOCUMENTS_SIGNING_PKCS12 = str(tmp_path / "{region}.p12")
    Command().demo_certificates()
    made = {path.name: path.read_bytes() for path in tmp_path.glob("*.p12")}
    assert set(made) == {"HDF.p12", "PDL.p12", "IDF.p12"}
    assert all(signing.is_demo(cert) for cert in signing.trusted_certificates())
    Command().demo_certificates()  # idempotent: the same certificates, not new ones
    assert {path.name: path.read_bytes() for path in tmp_path.glob("*.p12")} == made


def test_seed_demo_never_replaces_a_real_certificate(settings, tmp_path, db):
    settings.DOCUMENTS_DEMO_SIGNING_DIR = tmp_path / "demo"
    settings.DOCUMENTS_SIGNING_PKCS12 = str(tmp_path / "secrets" / "{region}.p12")
    assert signing.demo_certificate_paths(["HDF", "PDL"]) == {}


@pytest.fixture
def tsa(settings, tmp_path):
    """A local RFC 3161 time-stamp authority (pyHanko's own TSA logic behind a real HTTP server);
    its certificate is part of the configured chain."""
    import threading
    from datetime import UTC, datetime, timedelta
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from asn1crypto import tsp
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Autorité d'horodatage de test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    stamper = DummyTimeStamper(
        tsa_cert=next(iter(load_certs_from_pemder_data(pem))),
        tsa_key=load_private_key_from_pemder_data(key_pem, passphrase=None),
    )
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(self.headers["Content-Type"])
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    chain = tmp_path / "tsa.pem"
    chain.write_bytes(pem)
    settings.DOCUMENTS_TSA_URL = f"http://127.0.0.1:{server.server_port}/"
    settings.DOCUMENTS_SIGNING_CHAIN = [str(chain)]
    yield requests
    server.shutdown()


def test_a_configured_tsa_time_stamps_the_signature(certificates, tsa, award):
    pdf = issuing.stored_bytes(ensure_document(award, Kind.AWARD))
    # RFC 3161 requests went to the authority (pyHanko asks once more to size the signature).
    assert tsa and set(tsa) == {"application/timestamp-query"}
    status = validate(pdf)
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    assert status.timestamp_validity.valid and status.timestamp_validity.trusted
    [check] = signing.check_signatures(pdf)
    assert check.ok and check.timestamped


def test_without_tsa_the_signature_has_no_time_stamp(certificates, award):
    [check] = signing.check_signatures(issuing.stored_bytes(ensure_document(award, Kind.AWARD)))
    assert check.ok and not check.timestamped


def test_a_certificate_of_the_chain_that_is_not_a_region_signing_one_is_not_valid(
    certificates, settings, tmp_path, award
):
    """The chain's CA is a trust root, so anything it certifies chains; only the regions' own
    signing certificates make a signature the portal calls valid."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign import signers
    from pypdf import PdfWriter

    other = signing.make_demo_certificate(
        tmp_path / "other" / "X.p12", region_code="HDF", region_name="Hauts-de-France"
    )
    _key, cert, _more = pkcs12.load_key_and_certificates(other.read_bytes(), None)
    chain = tmp_path / "chain.pem"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    settings.DOCUMENTS_SIGNING_CHAIN = [str(chain)]
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(blank)
    signatory = signing.Signatory("HDF", "Hauts-de-France", "Par délégation")
    forged = signing.sign_pdf(
        blank.getvalue(),
        signer=signers.SimpleSigner.load_pkcs12(str(other)),
        signatory=signatory,
    )
    assert validate(forged).trusted  # pyHanko alone trusts it through the chain
    [check] = signing.check_signatures(forged)
    assert check.intact and check.valid and not check.ok
