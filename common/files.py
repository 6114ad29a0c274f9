"""Private files, only through Django's storage API (settings.STORAGES["default"]).

The store is a local folder on one machine or an S3-compatible bucket shared by several web nodes
and workers (docs/deployment.md): nothing here opens a file by its local path, so the same code
serves both. Files are never public: a view checks the user's rights first, then either streams
the file (`private_file_response`) or, with S3 and S3_PRESIGNED_DOWNLOADS, redirects to a
pre-signed URL valid S3_URL_EXPIRE seconds.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
from collections.abc import Iterator
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect

CHUNK = 1024 * 1024


def is_object_store(storage: Storage | None = None) -> bool:
    """True for an S3-compatible storage (django-storages), which signs URLs."""
    storage = storage or default_storage
    return hasattr(storage, "bucket_name") and hasattr(storage, "querystring_expire")


def walk(storage: Storage | None = None, top: str = "") -> Iterator[str]:
    """Every file name under `top` in the storage, sorted (folders first visited in order)."""
    storage = storage or default_storage
    top = top.strip("/")
    try:
        folders, files = storage.listdir(top)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(top, name) if top else name
    for folder in sorted(folders):
        yield from walk(storage, posixpath.join(top, folder) if top else folder)


def sha256_of(name: str, storage: Storage | None = None) -> tuple[str, int]:
    """SHA-256 and size of a stored file, read in chunks (flat memory)."""
    storage = storage or default_storage
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def move(name: str, target: str, storage: Storage | None = None) -> str:
    """Copy a stored file to `target` (a free name is chosen if taken), then delete the source.

    Returns the new name. Works on any storage: nothing is opened by its local path.
    """
    storage = storage or default_storage
    with storage.open(name, "rb") as source:
        saved = storage.save(target, source)
    storage.delete(name)
    return saved


def private_file_response(
    field_file,
    *,
    filename: str,
    content_type: str | None = None,
    as_attachment: bool = True,
    sandbox: bool = False,
):
    """The response that hands a stored file to a user whose rights were checked by the caller.

    Streamed by the portal (FileResponse reads the storage in chunks), or a redirect to a
    short-lived pre-signed URL when the store is S3 and S3_PRESIGNED_DOWNLOADS is on.
    A missing file is a 404, never a 500.
    """
    if not field_file:
        raise Http404("Fichier introuvable.")
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    storage = field_file.storage
    if getattr(settings, "S3_PRESIGNED_DOWNLOADS", False) and is_object_store(storage):
        disposition = "attachment" if as_attachment else "inline"
        url = storage.url(
            field_file.name,
            parameters={
                "ResponseContentDisposition": (
                    f"{disposition}; filename*=UTF-8''{quote(filename)}"
                ),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            expire=getattr(settings, "S3_URL_EXPIRE", 60),
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Fichier introuvable.") from exc
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if sandbox:
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
