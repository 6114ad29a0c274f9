"""Demo data: regions' staff, applicants and organisations. Idempotent: run it as often as you like."""

from datetime import date

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.enums import Role
from accounts.models import User
from accounts.services import role_assign
from demo.dossiers import (
    create_demo_dossiers,
    create_instruction_demo,
    create_payment_demo,
    demo_organisation,
)
from documents.signing import demo_certificate_paths, make_demo_certificate
from organisations.enums import MemberRole
from organisations.lookup import FixtureLookup
from organisations.models import Membership, Organisation
from schemes.models import CallPeriod, RuleVersion
from territories.data import seed_demo_signatories
from territories.models import Department, Region

DEMO_PASSWORD = "Demo-Aides-2026"
DEMO_DOMAIN = "demo.aides-numeriques.fr"

# Organisations of the offline fixture, by the demo applicant of each region.
DEMO_ORGANISATIONS = {
    "HDF": ["81234567600017", "82345678500018"],
    "PDL": ["83456789300021", "84567890300012"],
    "IDF": ["21750001600019", "20004185300017"],
}

# One more organisation per demo applicant, with no dossier: whatever the other demo dossiers
# become, each applicant can start a dossier on every scheme of its region.
# (SIREN first 8 digits, name, kind, legal form, NAF, postal code, city, département)
FREE_ORGANISATIONS = {
    "HDF": (
        "86111111",
        "Ressourcerie solidaire du Hainaut",
        "association",
        "ASSOCIATION",
        "38.32Z",
        "59300",
        "Valenciennes",
        "59",
    ),
    "PDL": (
        "86222222",
        "Céramiques de Vendée",
        "company",
        "SARL",
        "23.41Z",
        "85000",
        "La Roche-sur-Yon",
        "85",
    ),
    "IDF": (
        "21910001",
        "Commune de Bois-le-Fictif",
        "commune",
        "COMMUNE",
        "84.11Z",
        "91000",
        "Bois-le-Fictif",
        "91",
    ),
}

# The Hauts-de-France texts apply to dossiers filed until 2022-12-31. So that INAC and INESS can
# be tried today, the demo prolongs them with a clearly labelled version that has no legal basis.
DEMO_EXTENSION_FROM = date(2023, 1, 1)

STAFF = [
    (Role.AGENT, "instructeur", "Instructeur"),
    (Role.FINANCE, "finance", "Agent financier"),
    (Role.SCHEME_MANAGER, "gestionnaire", "Gestionnaire"),
]


# Demo staff accounts share this public TOTP key: `manage.py demo_otp EMAIL` prints the code.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"


def demo_totp(user) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.update_or_create(
        user=user, name="Démonstration", defaults={"key": DEMO_TOTP_KEY, "confirmed": True}
    )


def mail_folder() -> str:
    """Where the e-mails go, as the summary says it (relative to the project when inside it)."""
    from pathlib import Path

    if settings.EMAIL_BACKEND != "django.core.mail.backends.filebased.EmailBackend":
        return "la console (EMAIL_FILE_PATH n'est pas défini)"
    folder = Path(settings.EMAIL_FILE_PATH).resolve()
    try:
        return f"{folder.relative_to(Path(settings.BASE_DIR).resolve())}/"
    except ValueError:
        return f"{folder}/"


def demo_user(email: str, first_name: str, last_name: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, **extra}
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def free_organisation(region_code: str, applicant: User) -> Organisation:
    """The applicant's organisation kept free of dossiers (FREE_ORGANISATIONS)."""
    organisation, _ = demo_organisation(
        FREE_ORGANISATIONS[region_code], address="2 rue de la Mairie", created_on=date(2014, 5, 12)
    )
    Membership.objects.get_or_create(
        organisation=organisation, user=applicant, defaults={"role": MemberRole.OWNER}
    )
    return organisation


class Command(BaseCommand):
    help = "Crée ou met à jour les données de démonstration (comptes, organisations)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000/",
            help="Adresse du portail, rappelée dans le résumé final.",
        )

    def handle(self, *args, url: str = "http://127.0.0.1:8000/", **options):
        self.seed()
        self.summary(url)

    @transaction.atomic
    def seed(self):
        lookup = FixtureLookup()
        for region in Region.objects.order_by("code"):
            slug = region.code.lower()
            for role, prefix, label in STAFF:
                user = demo_user(f"{prefix}.{slug}@{DEMO_DOMAIN}", label, region.name)
                role_assign(user=user, role=role, region=region)
                demo_totp(user)
            applicant = demo_user(f"demandeur.{slug}@{DEMO_DOMAIN}", "Demandeur", region.name)
            for siret in DEMO_ORGANISATIONS[region.code]:
                info = lookup.find(siret)
                data = info.as_initial()
                data["department"] = Department.objects.get(code=data["department"])
                data.pop("siret")
                organisation, _ = Organisation.objects.update_or_create(siret=siret, defaults=data)
                Membership.objects.get_or_create(
                    organisation=organisation, user=applicant, defaults={"role": MemberRole.OWNER}
                )
            free_organisation(region.code, applicant)
        self.extend_expired_schemes()
        self.open_envelopes()
        seed_demo_signatories()  # before the demo's acts are generated: they name their signatory
        self.demo_certificates()  # before the acts too: they are signed
        dossiers = create_demo_dossiers()
        dossiers += create_instruction_demo()
        payment_requests = create_payment_demo()
        admin = demo_user(
            f"admin@{DEMO_DOMAIN}", "Administrateur", "Démo", is_staff=True, is_superuser=True
        )
        demo_totp(admin)

        if dossiers:
            self.stdout.write(
                f"{dossiers} dossiers de démonstration créés, à tous les stades du dépôt et de l'instruction."
            )
        if payment_requests:
            self.stdout.write(
                f"{payment_requests} demandes de paiement de démonstration, un lot payé et un lot en préparation."
            )
        self.stdout.write(
            "Démonstration : INAC et INESS sont prolongés au-delà du 31/12/2022 par une version "
            "de règles marquée « extension de démonstration », sans base juridique."
        )

    def summary(self, url: str) -> None:
        """The last lines before the portal serves: where, who, the staff code, the e-mails."""
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS("─── Démonstration prête " + "─" * 50))
        write(f"Portail : {url}")
        write(f"Mot de passe de tous les comptes : {DEMO_PASSWORD}")
        for region in Region.objects.order_by("code"):
            email = f"demandeur.{region.code.lower()}@{DEMO_DOMAIN}"
            count = Organisation.objects.filter(memberships__user__email=email).count()
            write(f"  {email:<42} demandeur — {region.name}, {count} organisations")
        write(
            f"  {{instructeur,finance,gestionnaire}}.{{hdf,pdl,idf}}@{DEMO_DOMAIN}   agents"
            " de chaque région"
        )
        write(f"  {'admin@' + DEMO_DOMAIN:<42} administrateur ({url.rstrip('/')}/admin/)")
        write(
            "Code de double authentification des agents : "
            "DEBUG=1 .venv/bin/python manage.py demo_otp ADRESSE"
        )
        write(f"Courriels envoyés : un fichier par message dans {mail_folder()}")
        write("Arrêter le portail : Ctrl+C")

    def demo_certificates(self) -> None:
        """A self-signed demonstration certificate per region, generated on this machine (never
        committed), when the signing certificates are the demo ones (DEBUG, no
        DOCUMENTS_SIGNING_PKCS12 set): the demo's acts are then signed, flagged as a demo."""
        regions = {region.code: region.name for region in Region.objects.order_by("code")}
        made = [
            code
            for code, path in demo_certificate_paths(regions).items()
            if not path.exists()
            and make_demo_certificate(path, region_code=code, region_name=regions[code])
        ]
        if made:
            self.stdout.write(
                f"Certificats de signature de démonstration créés ({', '.join(made)}) : "
                "les actes de la démonstration sont signés, sans valeur juridique."
            )

    def extend_expired_schemes(self) -> None:
        """Prolong schemes whose texts ended, with a demo-labelled copy of their last rules."""
        for code in ("INAC", "INESS"):
            source = (
                RuleVersion.objects.filter(scheme__code=code, is_demo=False)
                .order_by("valid_from")
                .last()
            )
            if source is None or source.valid_to is None or source.valid_to >= DEMO_EXTENSION_FROM:
                continue
            # Created once: a later run leaves it as it is (published, it can no longer change).
            RuleVersion.objects.get_or_create(
                ident=f"{code}/demo-{DEMO_EXTENSION_FROM.isoformat()}",
                defaults={
                    "scheme": source.scheme,
                    "label": f"Extension de démonstration (sans base juridique) des règles {source.ident}",
                    "valid_from": DEMO_EXTENSION_FROM,
                    "valid_to": None,
                    "parameters": source.parameters,
                    "is_demo": True,
                },
            )
            CallPeriod.objects.get_or_create(
                scheme=source.scheme,
                opens_on=DEMO_EXTENSION_FROM,
                defaults={
                    "closes_on": None,
                    "label": "Période de démonstration (sans base juridique)",
                },
            )

    def open_envelopes(self) -> None:
        """A budget envelope per scheme for the current year and the next (the demo's commission
        session, three weeks ahead, may vote in January), so that aids can be awarded."""
        from django.utils import timezone

        from schemes.models import BudgetEnvelope, Scheme

        amounts = {"INAC": "2000000", "INESS": "800000", "PDL-IN": "3000000", "IDF-CN2": "1500000"}
        this_year = timezone.localdate().year
        for scheme in Scheme.objects.all():
            for year in (this_year, this_year + 1):
                BudgetEnvelope.objects.get_or_create(
                    scheme=scheme,
                    year=year,
                    defaults={
                        "voted_amount": amounts.get(scheme.code, "1000000"),
                        "reference": "Démonstration",
                    },
                )
