"""Store an official document once, by kind and version, with the SHA-256 of its bytes.

An official document is never regenerated silently: `issue_once` returns the current one when
it exists, so a retried Celery task or a second worker cannot replace what a person received.
After a supersession (a reopened dossier), the next issue is version 2 and its reference gets the
suffix `-2`. Files go through the model field's storage (Django's storage API, `STORAGES`), never
a local path, so the private files may live on disk or in an object store alike.

The model is the caller's (`applications.DossierDocument`): it needs `kind`, `version`,
`reference`, `sha256`, `file`, `created_at` and `superseded_at`, a unique current (owner, kind)
and a unique (owner, kind, version); `owner` are the filters naming whose document it is.
"""

import hashlib
import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Model

logger = logging.getLogger(__name__)


class DocumentNotApplicable(Exception):
    """The owner lacks what this document states (no decision, no vote...): retrying won't help."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def current_document(model: type[Model], *, kind: str, **owner) -> Model | None:
    """The current (not superseded) document of `kind`, or None."""
    documents = model._default_manager.filter(kind=kind, superseded_at__isnull=True, **owner)
    return documents.order_by("-created_at", "-pk").first()


def next_version(model: type[Model], *, kind: str, **owner) -> int:
    last = model._default_manager.filter(kind=kind, **owner).aggregate(last=Max("version"))
    return (last["last"] or 0) + 1


def versioned_reference(base: str, version: int) -> str:
    """ARR-HDF-2026-000001, then ARR-HDF-2026-000001-2, -3... for later versions."""
    return base if version <= 1 else f"{base}-{version}"


def stored_bytes(document) -> bytes:
    """The stored file's bytes, read through its storage."""
    with document.file.open("rb") as handle:
        return handle.read()


def issue_once(
    *,
    model: type[Model],
    owner: dict,
    kind: str,
    reference_base: str,
    render: Callable[[str], bytes],
    filename: Callable[[str], str],
    sign: Callable[[bytes], bytes] | None = None,
) -> Model:
    """The current document of `kind` for `owner`: the stored one if any, else issued and stored.

    `render(reference)` returns the PDF bytes; `sign(pdf)` (optional) returns them signed; the
    SHA-256 recorded is that of the bytes stored. Safe against two concurrent runs: the unique
    constraints let one insert win; the loser deletes the file it wrote and returns the winner's.
    """
    existing = current_document(model, kind=kind, **owner)
    if existing is not None:
        return existing
    version = next_version(model, kind=kind, **owner)
    reference = versioned_reference(reference_base, version)
    pdf = render(reference)
    if sign is not None:
        pdf = sign(pdf)
    document = model(
        **owner, kind=kind, version=version, reference=reference, sha256=sha256_hex(pdf)
    )
    document.file.save(filename(reference), ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)
        winner = current_document(model, kind=kind, **owner)
        if winner is None:  # the conflict was on something else: let the task retry
            raise
        logger.info("Document %s of %s issued concurrently", kind, owner)
        return winner
    except BaseException:
        document.file.delete(save=False)
        raise
    logger.info("Document %s issued (%s, version %s)", reference, kind, version)
    return document
