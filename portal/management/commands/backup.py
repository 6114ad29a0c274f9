from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Sauvegarde la base de données (pg_dump, ou copie SQLite) et les fichiers privés dans une "
        "archive .tar avec un manifeste (empreinte SHA-256 de chaque élément)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(Path(settings.VAR_DIR) / "sauvegardes"),
            help="Dossier où écrire l'archive (ou chemin d'un fichier .tar).",
        )
        parser.add_argument(
            "--files-root",
            default="",
            help=(
                "Dossier des fichiers privés à sauvegarder (par défaut : le stockage du portail, "
                "dossier local ou S3)."
            ),
        )
        parser.add_argument(
            "--database-url", default="", help="Base à sauvegarder (celle du portail par défaut)."
        )

    def handle(self, *args, output, files_root, database_url, **options):
        try:
            archive = backup(
                Path(output), Path(files_root) if files_root else None, database_url or None
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Sauvegarde écrite : {archive}")
