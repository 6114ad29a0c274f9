"""Files chosen on a payment request survive the page: « Ajouter une facture » and a refused
submission never ask for them again.

Each accepted upload (checked by applications.uploads.validate_upload, like every dossier file) is
written once to private storage under `paiements/attente/` and remembered in the person's session,
keyed by the dossier, the payment kind and the field's HTML name (`invoices-0-file`,
`closing-statement`...). The forms then treat the field as filled and say which file is joined;
choosing another file replaces it. Once the request is created the entries are cleared.
"""

import re

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage

from applications.uploads import validate_upload

SESSION_KEY = "payment_uploads"
# The file fields of the payment request page: nothing else posted is kept.
FIELDS = re.compile(
    r"^(bank-rib|advance-quote|closing-statement|closing-completion|invoices-\d{1,3}-file)$"
)
FOLDER = "paiements/attente/"


def _key(dossier, kind: str) -> str:
    return f"{dossier.pk}:{kind}"


def staged(session, dossier, kind: str) -> dict[str, dict]:
    """{field HTML name: {"name", "original", "sha256", "size"}} of the files already joined."""
    entries = session.get(SESSION_KEY, {}).get(_key(dossier, kind), {})
    return {
        field: entry
        for field, entry in entries.items()
        if isinstance(entry, dict) and str(entry.get("name", "")).startswith(FOLDER)
    }


def stage_uploads(session, dossier, kind: str, files) -> dict[str, ValidationError]:
    """Check and keep each uploaded file; return the refusals by field HTML name."""
    refusals: dict[str, ValidationError] = {}
    if not files:
        return refusals
    store = session.get(SESSION_KEY, {})
    entries = dict(store.get(_key(dossier, kind), {}))
    for field in files:
        if not FIELDS.match(field):
            continue
        upload = files[field]
        try:
            checked = validate_upload(upload, dossier=dossier)
        except ValidationError as exc:
            refusals[field] = exc
            continue
        upload.seek(0)
        name = default_storage.save(f"{FOLDER}{checked.storage_name}", upload)
        previous = entries.get(field)
        entries[field] = {
            "name": name,
            "original": checked.original_name,
            "sha256": checked.sha256,
            "size": checked.size,
        }
        if previous and previous.get("name", "").startswith(FOLDER):
            default_storage.delete(previous["name"])
    store[_key(dossier, kind)] = entries
    session[SESSION_KEY] = store
    session.modified = True
    return refusals


def open_staged(entry: dict) -> File:
    """The kept file, named as the person named it, ready to be validated and saved again."""
    return File(default_storage.open(entry["name"], "rb"), name=entry["original"])


def clear(session, dossier, kind: str) -> None:
    store = session.get(SESSION_KEY, {})
    for entry in store.pop(_key(dossier, kind), {}).values():
        if isinstance(entry, dict) and str(entry.get("name", "")).startswith(FOLDER):
            default_storage.delete(entry["name"])
    session[SESSION_KEY] = store
    session.modified = True
