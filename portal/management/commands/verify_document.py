"""`manage.py verify_document FILE`: was this PDF issued by the portal, is its signature valid?

Exit status 0 when the file is a document the portal issued (same SHA-256 as the stored one) and
every signature it carries is valid and trusted; 1 otherwise.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.verification import verify_bytes


class Command(BaseCommand):
    help = (
        "Vérifie qu'un PDF a été émis par le portail et que sa signature électronique est valide."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Chemin du fichier PDF à vérifier")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Lecture impossible de {path} : {exc.strerror}") from exc
        verdict = verify_bytes(data)
        write = self.stdout.write
        write(f"Empreinte SHA-256 : {verdict.sha256}")
        if verdict.found:
            document = verdict.document
            state = "remplacé" if document.superseded_at else "en vigueur"
            write(
                f"Émis par le portail : {document.get_kind_display()} {document.reference} "
                f"du {document.created_at:%d/%m/%Y}, Région {verdict.region_name} ({state})."
            )
        else:
            write("Aucun document émis par le portail n'a cette empreinte.")
        for check in verdict.signatures:
            verdict_text = "valide" if check.ok else "NON VALIDE"
            details = ", ".join(
                f"{label} : {'oui' if value else 'non'}"
                for label, value in (
                    ("intacte", check.intact),
                    ("cryptographiquement correcte", check.valid),
                    ("certificat de confiance", check.trusted),
                    ("couvre tout le fichier", check.whole_file),
                    ("horodatée", check.timestamped),
                )
            )
            write(f"Signature {verdict_text} — {check.signer} ({details}).")
            if check.demo:
                write("Certificat de démonstration : sans valeur juridique.")
        if not verdict.signatures:
            write("Le fichier ne porte pas de signature électronique.")
        ok = verdict.found and all(check.ok for check in verdict.signatures)
        if not ok:
            raise CommandError("Document non reconnu ou signature non valide.")
        write(self.style.SUCCESS("Document authentique."))
