"""An administrator gives a staff member a one-time link to enrol their authenticator app."""

from django.core.management.base import BaseCommand, CommandError

from accounts import two_factor
from accounts.enums import Role
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Crée un lien d'activation de la double authentification (usage unique, durée limitée) "
        "pour un compte, l'envoie par courriel ou l'affiche (--afficher)."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="adresse électronique du compte")
        parser.add_argument(
            "--par", required=True, help="adresse électronique de l'administrateur qui agit"
        )
        parser.add_argument(
            "--afficher", action="store_true", help="affiche le lien au lieu de l'envoyer"
        )
        parser.add_argument(
            "--reinitialiser",
            action="store_true",
            help="retire d'abord l'application et les codes de secours du compte (perdus)",
        )

    def handle(self, *args, email: str, par: str, afficher: bool, reinitialiser: bool, **opts):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Aucun compte pour {email}.")
        admin = User.objects.filter(email__iexact=par.strip()).first()
        if admin is None or not admin.has_role(Role.ADMIN):
            raise CommandError(f"{par} n'est pas un administrateur du portail.")
        try:
            if reinitialiser:
                link = two_factor.devices_reset(user=user, by=admin, send_link=not afficher)
            else:
                link = two_factor.enrolment_issue(user=user, by=admin, send=not afficher)
        except two_factor.EnrolmentRefused as refusal:
            raise CommandError(str(refusal)) from None
        if afficher:
            self.stdout.write(link)
        else:
            self.stdout.write(f"Lien d'activation envoyé à {user.email}.")
