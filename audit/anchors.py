"""Signed anchors of the audit chain, kept outside the database.

The hash chain of `AuditEvent` proves that no row was changed or removed in the middle of the
journal, but not that its last rows are all there: whoever deletes the tail leaves a shorter,
still valid chain. An anchor records the chain head (number of rows, id and hash of the last
row, date), signed with an Ed25519 key that is not in the database, and is appended as one JSON
line to AUDIT_ANCHOR_PATH. Each line also carries the SHA-256 of the previous line, so lines
cannot be removed or reordered in the middle of the file either. `verify_audit` checks the
chain against the latest anchor: a journal shorter than the anchor, or whose row at the
anchored position has another hash, is reported.

Settings: AUDIT_SIGNING_KEY (base64 of the 32-byte raw private key, or PEM PKCS#8),
AUDIT_SIGNING_KEY_FILE (a file holding either form, or the 32 raw bytes),
AUDIT_SIGNING_KEY_AUTOGENERATE (DEBUG and tests: a key generated once into VAR_DIR when none is
set), AUDIT_VERIFY_KEY (optional: the public key alone, base64 or PEM, for checking anchors
where the private key is not kept), AUDIT_ANCHOR_PATH (VAR_DIR / "audit" / "anchors.jsonl"),
AUDIT_TSA_URL (optional: each anchor is also time-stamped by this RFC 3161 authority,
audit/timestamping.py; when it fails, the anchor is written without and a warning is logged).

Limits: a person who can both write the anchor file and read the key can forge anchors; mount
the file where the application user may only append (`chattr +a`), copy it off the host, and keep
the key in a secret store readable by the worker only (docs/security.md).
"""

import base64
import datetime
import fcntl
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.utils import timezone

from audit import timestamping
from audit.models import CHAIN_LOCK_KEY, AuditEvent

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
SIGNATURE_CONTEXT = b"aides-numeriques/audit-anchor/v1\n"
GENERATED_KEY_NAME = "audit-signing-key.pem"

MISSING_KEY_MESSAGE = (
    "Aucune clé de signature du journal d'audit : définissez AUDIT_SIGNING_KEY (clé Ed25519 "
    "privée en base64 ou PEM) ou AUDIT_SIGNING_KEY_FILE (chemin d'un fichier qui la contient). "
    "Générez-en une avec « python manage.py anchor_audit --generate-key »."
)


class AnchorKeyMissing(ImproperlyConfigured):
    """No signing key configured, in production (no key is generated there)."""


class AnchorFileInvalid(Exception):
    """The anchor file is unreadable, has a bad signature or a broken line chain (French text)."""


@dataclass(frozen=True)
class Anchor:
    line: int  # 1-based line number in the anchor file
    count: int
    last_id: int | None
    last_hash: str
    at: datetime.datetime

    @property
    def at_label(self) -> str:
        return timezone.localtime(self.at).strftime("%d/%m/%Y à %H:%M")


# --- Key -------------------------------------------------------------------------------------


def anchor_path() -> Path:
    default = Path(settings.VAR_DIR) / "audit" / "anchors.jsonl"
    return Path(getattr(settings, "AUDIT_ANCHOR_PATH", "") or default)


def _parse_key(raw: bytes, source: str) -> Ed25519PrivateKey:
    text = raw.strip()
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(text, password=None)
        elif len(raw) == 32:  # the raw key itself (base64 of 32 bytes is 44 characters)
            key = Ed25519PrivateKey.from_private_bytes(raw)
        else:
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"{source} ne contient pas une clé Ed25519 privée lisible (base64 de 32 octets ou "
            "PEM PKCS#8 non chiffré)."
        ) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{source} contient une clé qui n'est pas une clé Ed25519.")
    return key


def generate_key_pem() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _generated_key() -> Ed25519PrivateKey:
    """DEBUG and tests only: a key made once and kept in VAR_DIR (mode 0600)."""
    path = Path(settings.VAR_DIR) / GENERATED_KEY_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "wb") as handle:
            handle.write(generate_key_pem())
    return _parse_key(path.read_bytes(), str(path))


def key_configured() -> bool:
    return bool(
        getattr(settings, "AUDIT_SIGNING_KEY", "")
        or getattr(settings, "AUDIT_SIGNING_KEY_FILE", "")
    )


def signing_key() -> Ed25519PrivateKey:
    """The configured key; a generated one in DEBUG/tests; AnchorKeyMissing otherwise."""
    value = getattr(settings, "AUDIT_SIGNING_KEY", "")
    if value:
        return _parse_key(value.encode(), "AUDIT_SIGNING_KEY")
    file_name = getattr(settings, "AUDIT_SIGNING_KEY_FILE", "")
    if file_name:
        try:
            raw = Path(file_name).read_bytes()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"AUDIT_SIGNING_KEY_FILE : le fichier {file_name} ne peut pas être lu ({exc})."
            ) from exc
        return _parse_key(raw, f"AUDIT_SIGNING_KEY_FILE ({file_name})")
    if getattr(settings, "AUDIT_SIGNING_KEY_AUTOGENERATE", False):
        return _generated_key()
    raise AnchorKeyMissing(MISSING_KEY_MESSAGE)


def verification_key() -> Ed25519PublicKey:
    """AUDIT_VERIFY_KEY when set (public key only), else the public half of the signing key."""
    value = getattr(settings, "AUDIT_VERIFY_KEY", "")
    if not value:
        return signing_key().public_key()
    text = value.strip().encode()
    try:
        if text.startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(text)
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "AUDIT_VERIFY_KEY ne contient pas une clé Ed25519 publique lisible (base64 de 32 "
            "octets ou PEM)."
        ) from exc
    if not isinstance(key, Ed25519PublicKey):
        raise ImproperlyConfigured("AUDIT_VERIFY_KEY contient une clé qui n'est pas Ed25519.")
    return key


def key_fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


# --- Lines -----------------------------------------------------------------------------------


def _dump(fields: dict) -> bytes:
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _signed_bytes(fields: dict) -> bytes:
    return SIGNATURE_CONTEXT + _dump(fields)


def _line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\r\n")).hexdigest()


TSA_FIELDS = ("tsa", "tsa_sha256")


def _timestamp(fields: dict) -> None:
    """Add an RFC 3161 token over the signed line (without the tsa fields) when a TSA is set."""
    if not timestamping.tsa_url():
        return
    digest = hashlib.sha256(_dump(fields)).digest()
    try:
        token = timestamping.request_timestamp(digest)
    except timestamping.TimestampError as exc:
        logger.warning("Audit anchor written without an RFC 3161 time-stamp: %s", exc)
        return
    fields["tsa_sha256"] = digest.hex()
    fields["tsa"] = base64.b64encode(token).decode("ascii")


def _lines(data: bytes) -> list[bytes]:
    return [line for line in data.split(b"\n") if line.strip()]


def chain_head(using: str | None = None) -> tuple[int, int | None, str]:
    """(rows, id of the last row, its hash), read under the chain lock: no writer is half-way."""
    using = using or router.db_for_write(AuditEvent)
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        events = AuditEvent.objects.using(using)
        last = events.order_by("-id").only("id", "hash").first()
        if last is None:
            return 0, None, ""
        return events.filter(id__lte=last.id).count(), last.id, last.hash


def anchor_chain(*, using: str | None = None, now: datetime.datetime | None = None) -> Anchor:
    """Sign the current chain head and append it to the anchor file; return the anchor.

    Raises AnchorKeyMissing in production without a key (nothing is written then).
    """
    key = signing_key()
    count, last_id, last_hash = chain_head(using)
    at = (now or timezone.now()).astimezone(datetime.UTC)
    path = anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # one writer at a time: the previous line is final
        handle.seek(0)
        existing = _lines(handle.read())
        fields = {
            "v": FORMAT_VERSION,
            "count": count,
            "last_id": last_id,
            "last_hash": last_hash,
            "at": at.isoformat(timespec="seconds"),
            "prev": _line_hash(existing[-1]) if existing else "",
            "key": key_fingerprint(key.public_key()),
        }
        signature = key.sign(_signed_bytes(fields))
        fields["sig"] = base64.b64encode(signature).decode("ascii")
        _timestamp(fields)
        handle.write(_dump(fields) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    return Anchor(len(existing) + 1, count, last_id, last_hash, at)


def latest_anchor(path: Path | None = None) -> Anchor | None:
    """Check every line of the anchor file (signature, link to the previous line); return the last.

    None when there is no anchor yet; AnchorFileInvalid (French message) when a line is
    unreadable, signed by another key or with a bad signature, or does not follow the line
    before it.
    """
    path = path or anchor_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    lines = _lines(data)
    if not lines:
        return None
    public_key = verification_key()
    fingerprint = key_fingerprint(public_key)
    previous = ""
    anchor = None
    for number, line in enumerate(lines, start=1):
        where = f"ancre n° {number} (ligne {number} de {path})"
        try:
            fields = json.loads(line)
            stamp = {name: fields.pop(name) for name in TSA_FIELDS if name in fields}
            if stamp and stamp.get("tsa_sha256") != hashlib.sha256(_dump(fields)).hexdigest():
                raise AnchorFileInvalid(
                    f"L'horodatage RFC 3161 de l'{where} ne porte pas sur son contenu : la "
                    "ligne a été modifiée après l'horodatage."
                )
            signature = base64.b64decode(fields.pop("sig"), validate=True)
            anchor = Anchor(
                number,
                int(fields["count"]),
                fields["last_id"],
                str(fields["last_hash"]),
                datetime.datetime.fromisoformat(fields["at"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise AnchorFileInvalid(f"L'{where} est illisible : le fichier a été altéré.") from exc
        if fields.get("key") != fingerprint:
            raise AnchorFileInvalid(
                f"L'{where} a été signée par une autre clé (empreinte {fields.get('key')!s}, "
                f"attendue {fingerprint}) : signature invalide."
            )
        try:
            public_key.verify(signature, _signed_bytes(fields))
        except InvalidSignature as exc:
            raise AnchorFileInvalid(
                f"La signature de l'{where} est invalide : son contenu a été modifié après "
                "la signature."
            ) from exc
        if fields.get("prev") != previous:
            raise AnchorFileInvalid(
                f"L'{where} ne suit pas la ligne qui la précède : une ancre a été supprimée, "
                "insérée ou déplacée dans le fichier."
            )
        previous = _line_hash(line)
    return anchor
