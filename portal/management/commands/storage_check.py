from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from common.files import is_object_store


class Command(BaseCommand):
    help = (
        "Vérifie le stockage des fichiers privés (dossier local ou S3) : écriture, lecture, "
        "suppression d'un fichier d'essai ; --create-bucket crée le bucket S3 s'il manque."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--create-bucket",
            action="store_true",
            help="Crée le bucket S3 (privé) s'il n'existe pas encore.",
        )

    def handle(self, *args, create_bucket, **options):
        storage = default_storage
        where = "dossier local"
        if is_object_store(storage):
            where = f"S3, bucket {storage.bucket_name}"
            if create_bucket:
                self._create_bucket(storage)
        probe = f"verification/{self._token()}.txt"
        try:
            name = storage.save(probe, ContentFile(b"aides-numeriques"))
            with storage.open(name, "rb") as handle:
                if handle.read() != b"aides-numeriques":
                    raise CommandError(f"Stockage ({where}) : le fichier relu diffère.")
            storage.delete(name)
        except CommandError:
            raise
        except Exception as exc:
            raise CommandError(f"Stockage ({where}) inutilisable : {exc}") from exc
        self.stdout.write(f"Stockage des fichiers privés prêt ({where}).")

    @staticmethod
    def _token() -> str:
        import secrets

        return secrets.token_hex(8)

    @staticmethod
    def _create_bucket(storage) -> None:
        client = storage.connection.meta.client
        existing = {bucket["Name"] for bucket in client.list_buckets().get("Buckets", [])}
        if storage.bucket_name not in existing:
            client.create_bucket(Bucket=storage.bucket_name)
