"""Backups you can restore: `manage.py backup` and `manage.py restore`.

An archive is one tar file:

* `manifest.json`: when, which database engine, the row count of every table, the audit chain's
  head (rows, last id, last hash), and the SHA-256 and size of every other member;
* `database.dump` (PostgreSQL: `pg_dump --format=custom`, one consistent snapshot) or
  `database.sqlite3` (SQLite: the online backup API, consistent too);
* `files/...`: the private file store (attachments, generated documents), copied after the
  database, so that every file a row names is there (a file written in between is harmless).
  The files are read through Django's storage API (settings.STORAGES["default"]: a local folder
  or an S3 bucket), or from a folder given with --files-root; restore writes them the same way.

`restore` checks every SHA-256 against the manifest before touching anything, refuses a target
database that already has tables or a file store that already has files, loads the dump, copies
the files, then compares the row counts, the files and the audit chain head with the manifest and
walks the whole audit chain (as `verify_audit` does).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import dj_database_url
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connections
from django.db.utils import load_backend

from audit.models import AuditEvent
from audit.verification import walk_chain
from common.files import sha256_of as stored_sha256
from common.files import walk

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = os.environ.get("PG_DUMP", "pg_dump")
PG_RESTORE = os.environ.get("PG_RESTORE", "pg_restore")
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A French message for the operator."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


# --- Databases ------------------------------------------------------------------------------------


def database_settings(url: str | None, alias: str = "default") -> tuple[str, dict]:
    """(alias, settings) of the database to use: the configured one, or `url` as a new alias."""
    if not url:
        return alias, connections[alias].settings_dict
    settings_dict = dj_database_url.parse(url)
    for key, value in {
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "OPTIONS": {},
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }.items():
        settings_dict.setdefault(key, value)
    alias = "backup_target"
    release(alias)
    # A connection of this thread only, not a configured database (connections.settings).
    connections[alias] = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    return alias, settings_dict


def release(alias: str) -> None:
    """Close and forget a connection made for `database_settings(url)`."""
    if alias == "default":
        return
    try:
        connection = connections[alias]
    except Exception:  # never made
        return
    connection.close()
    del connections[alias]


@contextmanager
def target_database(url: str | None) -> Iterator[tuple[str, dict]]:
    """`database_settings(url)`, its connection released on the way out."""
    alias, settings_dict = database_settings(url)
    try:
        yield alias, settings_dict
    finally:
        release(alias)


def _vendor(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"Moteur de base de données non pris en charge : {engine}.")


def _pg_env(settings_dict: dict) -> dict[str, str]:
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            f"{command[0]} est introuvable : installez le client PostgreSQL (même version "
            "majeure que le serveur) ou indiquez son chemin (PG_DUMP, PG_RESTORE)."
        ) from exc
    if result.returncode != 0:
        raise BackupError(f"{command[0]} a échoué : {result.stderr.strip()[-2000:]}")


def dump_database(alias: str, settings_dict: dict, target: Path) -> str:
    vendor = _vendor(settings_dict)
    if vendor == "postgresql":
        _run(
            [PG_DUMP, "--format=custom", "--no-owner", "--no-privileges", "--file", str(target)],
            _pg_env(settings_dict),
        )
    else:
        connection = connections[alias]
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
    return vendor


def table_names(alias: str) -> list[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def row_counts(alias: str) -> dict[str, int]:
    connection = connections[alias]
    counts = {}
    with connection.cursor() as cursor:
        for table in table_names(alias):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def audit_head(alias: str) -> dict:
    events = AuditEvent.objects.using(alias)
    last = events.order_by("-id").first()
    return {
        "rows": events.count(),
        "last_id": last.pk if last else None,
        "last_hash": last.hash if last else "",
    }


def restore_database(alias: str, settings_dict: dict, vendor: str, source: Path) -> None:
    if _vendor(settings_dict) != vendor:
        raise BackupError(
            f"L'archive contient une base {vendor} : elle ne peut pas être restaurée dans une "
            f"base {_vendor(settings_dict)}."
        )
    if table_names(alias):
        raise BackupError(
            "La base de données cible contient déjà des tables : la restauration se fait dans "
            "une base neuve et vide (créez-la, puis relancez)."
        )
    if vendor == "postgresql":
        connections[alias].close()
        _run(
            [
                PG_RESTORE,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                settings_dict["NAME"],
                str(source),
            ],
            _pg_env(settings_dict),
        )
    else:
        connection = connections[alias]
        connection.ensure_connection()
        with sqlite3.connect(source) as dump:
            dump.backup(connection.connection)
        dump.close()


# --- Files ----------------------------------------------------------------------------------------


def file_store(files_root: Path | None) -> Storage:
    """The private files' storage (the portal's own), or a local folder given by the operator."""
    if files_root is None:
        return default_storage
    return FileSystemStorage(location=files_root, base_url=None)


def stored_files(store: Storage) -> list[str]:
    return list(walk(store))


def _member(path: Path, name: str) -> dict:
    """A manifest entry: the file's name in the archive, its size and SHA-256."""
    return {"path": name, "size": path.stat().st_size, "sha256": sha256_of(path)}


def _stored_member(store: Storage, name: str) -> dict:
    digest, size = stored_sha256(name, store)
    return {"path": f"files/{name}", "size": size, "sha256": digest}


# --- Backup ---------------------------------------------------------------------------------------


def backup(output: Path, files_root: Path | None = None, database_url: str | None = None) -> Path:
    """Write the archive into folder `output` (or file `output`, if it ends in .tar).

    The files come from the portal's storage, or from the folder `files_root` if given.
    """
    with target_database(database_url) as (alias, settings_dict):
        return _backup(output, file_store(files_root), alias, settings_dict)


def _backup(output: Path, store: Storage, alias: str, settings_dict: dict) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    archive = output if output.suffix == ".tar" else output / f"aides-sauvegarde-{stamp}.tar"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aides-backup-") as work:
        work = Path(work)
        dump_name = (
            "database.dump" if _vendor(settings_dict) == "postgresql" else "database.sqlite3"
        )
        vendor = dump_database(alias, settings_dict, work / dump_name)
        # Counted after the dump: no row is written between them on a quiet system; the drill
        # (and restore) compare them with what the dump restores.
        counts = row_counts(alias)
        head = audit_head(alias)
        members = [_member(work / dump_name, dump_name)]
        files = [_stored_member(store, name) for name in stored_files(store)]
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {"engine": vendor, "file": dump_name},
            "row_counts": counts,
            "audit_head": head,
            "members": members + files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(work / dump_name, arcname=dump_name)
            for entry in files:
                # Streamed from the storage into the archive (flat memory); its size and
                # SHA-256 were read just before, and restore checks both.
                info = tarfile.TarInfo(entry["path"])
                info.size, info.mode, info.mtime = entry["size"], 0o600, int(time.time())
                with store.open(entry["path"].removeprefix("files/"), "rb") as stream:
                    tar.addfile(info, stream)
        partial.chmod(0o600)
        partial.replace(archive)  # a complete archive or none
    return archive


# --- Restore --------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    tables: int
    rows: int
    files: int
    audit_rows: int
    audit_last_hash: str


def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise BackupError(f"Chemin refusé dans l'archive : {name}")
    return path


def read_archive(archive: Path, work: Path) -> dict:
    """Extract the archive into `work` and check every member against the manifest."""
    if not archive.is_file():
        raise BackupError(f"Archive introuvable : {archive}")
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            _safe_member(member.name)
            if not member.isfile():
                raise BackupError(f"Élément inattendu dans l'archive : {member.name}")
        # Members checked above (plain files, relative paths); the "data" filter where this
        # Python has it (3.11.4+).
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(work, **safe)  # noqa: S202
    manifest_path = work / MANIFEST
    if not manifest_path.is_file():
        raise BackupError("L'archive n'a pas de manifeste (manifest.json).")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Format d'archive inconnu : {manifest.get('format')!r}.")
    listed = {entry["path"] for entry in manifest["members"]}
    present = {path.relative_to(work).as_posix() for path in work.rglob("*") if path.is_file()} - {
        MANIFEST
    }
    if present != listed:
        raise BackupError(
            "L'archive ne correspond pas à son manifeste : "
            f"manquants {sorted(listed - present)[:5]}, en trop {sorted(present - listed)[:5]}."
        )
    for entry in manifest["members"]:
        if sha256_of(work / entry["path"]) != entry["sha256"]:
            raise BackupError(f"Empreinte SHA-256 incorrecte : {entry['path']} (archive altérée).")
    return manifest


def restore(
    archive: Path, files_root: Path | None = None, database_url: str | None = None
) -> RestoreReport:
    """Restore into an empty database and an empty file store: the portal's storage, or the
    folder `files_root` if given."""
    with target_database(database_url) as (alias, settings_dict):
        return _restore(archive, file_store(files_root), alias, settings_dict, files_root)


def _restore(
    archive: Path, store: Storage, alias: str, settings_dict: dict, files_root: Path | None
) -> RestoreReport:
    if stored_files(store):
        where = (
            f"Le dossier des fichiers {files_root}" if files_root else "Le stockage des fichiers"
        )
        raise BackupError(
            f"{where} n'est pas vide : la restauration se fait dans un stockage neuf."
        )
    with tempfile.TemporaryDirectory(prefix="aides-restore-") as work:
        work = Path(work)
        manifest = read_archive(archive, work)
        database = manifest["database"]
        restore_database(alias, settings_dict, database["engine"], work / database["file"])
        files = [entry for entry in manifest["members"] if entry["path"].startswith("files/")]
        for entry in files:
            name = entry["path"].removeprefix("files/")
            with (work / entry["path"]).open("rb") as source:
                saved = store.save(name, File(source, name=name))
            if saved != name:
                raise BackupError(f"Fichier restauré sous un autre nom : {name} ({saved})")
    # What was restored, compared with what was backed up.
    counts = row_counts(alias)
    if counts != manifest["row_counts"]:
        differences = {
            table: (manifest["row_counts"].get(table), counts.get(table))
            for table in set(counts) | set(manifest["row_counts"])
            if counts.get(table) != manifest["row_counts"].get(table)
        }
        raise BackupError(f"Nombre de lignes différent après restauration : {differences}")
    for entry in files:
        if stored_sha256(entry["path"].removeprefix("files/"), store)[0] != entry["sha256"]:
            raise BackupError(f"Fichier restauré différent : {entry['path']}")
    head = audit_head(alias)
    if head != manifest["audit_head"]:
        raise BackupError(
            f"Tête du journal d'audit différente : {head} au lieu de {manifest['audit_head']}"
        )
    walk = walk_chain(AuditEvent.objects.using(alias).order_by("id").iterator(chunk_size=2000))
    if walk.broken:
        raise BackupError(f"Journal d'audit restauré non intègre : {walk.broken}")
    return RestoreReport(
        tables=len(counts),
        rows=sum(counts.values()),
        files=len(files),
        audit_rows=head["rows"],
        audit_last_hash=head["last_hash"],
    )
