"""Create an API token and print its secret once: `manage.py create_api_token ...`."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.enums import Role
from accounts.models import User
from api.services import token_create
from territories.models import Region


class Command(BaseCommand):
    help = "Crée un jeton d'API (affiché une seule fois) pour une région et des dispositifs."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Outil ou partenaire.")
        parser.add_argument("--region", required=True, help="Code de la région (HDF, PDL, IDF).")
        parser.add_argument(
            "--scheme", action="append", default=[], help="Code d'un dispositif (répétable)."
        )
        parser.add_argument("--expires-on", required=True, help="Dernier jour, AAAA-MM-JJ.")
        parser.add_argument("--write", action="store_true", help="Autorise les changements d'état.")
        parser.add_argument(
            "--by", required=True, help="Adresse électronique de l'administrateur qui le crée."
        )

    def handle(self, *args, **options):
        admin = User.objects.filter(email=options["by"].lower(), is_active=True).first()
        if admin is None or not admin.has_role(Role.ADMIN):
            raise CommandError("Seul un administrateur peut créer un jeton d'API.")
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"Région inconnue : {options['region']}.")
        try:
            expires_on = date.fromisoformat(options["expires_on"])
        except ValueError as exc:
            raise CommandError("Date d'expiration attendue au format AAAA-MM-JJ.") from exc
        try:
            token, secret = token_create(
                name=options["name"],
                region=region,
                scheme_codes=options["scheme"],
                read_only=not options["write"],
                expires_on=expires_on,
                created_by=admin,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Jeton « {token.name} » créé (n° {token.pk}). Copiez-le maintenant :")
        self.stdout.write(secret)
