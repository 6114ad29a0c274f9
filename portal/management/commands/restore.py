from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restaure une archive de `backup` dans une base de données neuve et un dossier de "
        "fichiers vide, après vérification des empreintes ; compare ensuite les lignes, les "
        "fichiers et la tête du journal d'audit avec le manifeste."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Archive .tar écrite par `manage.py backup`.")
        parser.add_argument(
            "--files-root",
            default="",
            help=(
                "Dossier (vide) où restaurer les fichiers privés (par défaut : le stockage du "
                "portail, dossier local ou S3, qui doit être vide)."
            ),
        )
        parser.add_argument(
            "--database-url",
            default="",
            help="Base neuve où restaurer (celle du portail par défaut, qui doit être vide).",
        )

    def handle(self, *args, archive, files_root, database_url, **options):
        try:
            report = restore(
                Path(archive), Path(files_root) if files_root else None, database_url or None
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restauration terminée : {report.tables} tables, {report.rows} lignes, "
            f"{report.files} fichier(s) ; journal d'audit intègre, {report.audit_rows} entrées, "
            f"tête {report.audit_last_hash[:16] or '(vide)'}."
        )
