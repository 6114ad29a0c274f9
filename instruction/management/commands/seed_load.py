"""Load data for the queue's benchmark: `manage.py seed_load --dossiers 100000 [--region HDF]`.

Creates N dossiers (submitted, in instruction, decided...) over the schemes of the regions, about
N/5 organisations, a few agents per region and their Review rows (some overdue), with bulk_create in
batches. Load dossiers are numbered `LOAD-…`; `--reset` deletes them (and their organisations)
first. The rule "one open dossier per organisation and scheme" holds: an organisation's first
dossier for a scheme may be in any state, the next ones are in terminal states (old dossiers).
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from applications.enums import TERMINAL_STATES
from applications.enums import DossierState as S
from applications.models import Dossier
from instruction.models import Review
from organisations.enums import OrganisationKind
from organisations.models import Organisation
from schemes.models import Scheme
from territories.models import Department, Region

PREFIX = "LOAD-"
MARKER = "Jeu de données de charge"  # the address of load organisations, for --reset
BATCH = 2000
AGENTS_PER_REGION = 4

# (state, weight) of an organisation's first dossier for a scheme.
OPEN_MIX = [
    (S.SUBMITTED, 18),
    (S.IN_INSTRUCTION, 25),
    (S.COMPLEMENTS_REQUESTED, 10),
    (S.ADMISSIBLE, 10),
    (S.PROPOSED, 6),
    (S.ON_AGENDA, 4),
    (S.ACCEPTED, 17),
    (S.REJECTED, 5),
    (S.ABANDONED, 5),
]
TERMINAL_MIX = [(S.CLOSED, 6), (S.REJECTED, 2), (S.ABANDONED, 2)]
KIND_BY_SCHEME = {
    "INAC": (OrganisationKind.COMPANY, "SARL", "Boutique"),
    "INESS": (OrganisationKind.ASSOCIATION, "ASSOCIATION", "Association"),
    "PDL-IN": (OrganisationKind.COMPANY, "SAS", "Atelier"),
    "IDF-CN2": (OrganisationKind.COMMUNE, "COMMUNE", "Commune de"),
}
WORDS = [
    "Dupré", "Lefèvre", "Bérénice", "Hélène", "Gaëlle", "Côté", "Forêt", "Château", "Grès",
    "Mégane", "Noël", "Éloïse", "Martin", "Bernard", "Moreau", "Laurent", "Garnier", "Chevalier",
    "Rivière", "Prairie", "Étoile", "Lumière", "Océan", "Crème", "Fenêtre", "Île", "Pâtisserie",
]  # fmt: skip
AGENT_NAMES = [("Camille", "Aubert"), ("Léa", "Benoît"), ("Hugo", "Clément"), ("Inès", "Dufour")]


def make_siret(n: int) -> str:
    siren8 = f"{89000000 + n:08d}"
    siren = siren8 + luhn.calc_check_digit(siren8)
    base = siren + "0001"
    return base + luhn.calc_check_digit(base)


def weighted(rng: random.Random, mix) -> str:
    return rng.choices([s for s, _ in mix], weights=[w for _, w in mix])[0]


def load_agents(regions) -> dict[int, list[User]]:
    agents: dict[int, list[User]] = {}
    for region in regions:
        for i, (first, last) in enumerate(AGENT_NAMES[:AGENTS_PER_REGION], start=1):
            user, created = User.objects.get_or_create(
                email=f"charge-{region.code.lower()}-{i}@exemple.fr",
                defaults={"first_name": first, "last_name": f"{last} ({region.code})"},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            RoleAssignment.objects.get_or_create(user=user, role=Role.AGENT, region=region)
            agents.setdefault(region.pk, []).append(user)
    return agents


def reset_load(prefix: str = PREFIX) -> int:
    """Delete the load dossiers (and their reviews) and the organisations left without dossier."""
    dossiers = Dossier.objects.filter(number__startswith=prefix)
    Review.objects.filter(dossier__in=dossiers).delete()
    count, _ = dossiers.delete()
    Organisation.objects.filter(address=MARKER, dossiers__isnull=True).delete()
    return count


def _start_index(prefix: str) -> int:
    """The next sequence number: load numbers are `LOAD-0000123-INAC` (fixed width, sortable)."""
    last = Dossier.objects.filter(number__startswith=prefix).order_by("-number").first()
    return int(last.number[len(prefix) : len(prefix) + 7]) + 1 if last else 0


def _first_organisation_index() -> int:
    last = Organisation.objects.filter(address=MARKER).order_by("-siret").first()
    return int(last.siret[:8]) - 89_000_000 + 1 if last else 0


def seed_load(
    n: int, *, region_code: str | None = None, seed: int = 0, prefix: str = PREFIX
) -> dict:
    """Create n load dossiers; returns counts. Can be called again to add more."""
    rng = random.Random(f"{seed}-{_start_index(prefix)}")
    regions = list(Region.objects.filter(schemes__isnull=False).distinct().order_by("code"))
    if region_code:
        regions = [r for r in regions if r.code == region_code]
        if not regions:
            raise CommandError(f"Région inconnue ou sans dispositif : {region_code}")
    schemes = list(Scheme.objects.filter(region__in=regions).order_by("code"))
    agents = load_agents(regions)
    departments = {
        r.pk: list(Department.objects.filter(region=r).order_by("code")) for r in regions
    }
    now = timezone.now()
    start = _start_index(prefix)
    first_org = _first_organisation_index()

    # Organisations: about n/5 in all, shared out by region like the dossiers.
    per_scheme = {
        s.pk: n // len(schemes) + (1 if i < n % len(schemes) else 0) for i, s in enumerate(schemes)
    }
    orgs_by_region: dict[int, list[Organisation]] = {}
    new_orgs = []
    for region in regions:
        region_dossiers = sum(per_scheme[s.pk] for s in schemes if s.region_id == region.pk)
        kind, legal_form, word = next(
            KIND_BY_SCHEME.get(s.code, KIND_BY_SCHEME["INAC"])
            for s in schemes
            if s.region_id == region.pk
        )
        for _ in range(max(1, region_dossiers // 5)):
            k = first_org + len(new_orgs)
            department = rng.choice(departments[region.pk])
            siret = make_siret(k)
            org = Organisation(
                kind=kind,
                name=f"{word} {rng.choice(WORDS)} {rng.choice(WORDS)} {k}",
                siret=siret,
                siren=siret[:9],
                legal_form=legal_form,
                address=MARKER,
                postal_code=f"{department.code}000",
                city="Ville",
                department=department,
            )
            new_orgs.append(org)
            orgs_by_region.setdefault(region.pk, []).append(org)
    with transaction.atomic():
        Organisation.objects.bulk_create(new_orgs, batch_size=BATCH)
        dossiers, reviews_for = [], []
        index = start
        for scheme in schemes:
            orgs = orgs_by_region[scheme.region_id]
            for j in range(per_scheme[scheme.pk]):
                org = orgs[j % len(orgs)]
                mix = OPEN_MIX if j < len(orgs) else TERMINAL_MIX
                state = weighted(rng, mix)
                if state == S.ON_AGENDA and scheme.code != "IDF-CN2":
                    state = S.PROPOSED
                submitted_at = now - timedelta(
                    days=rng.randint(0, 720), minutes=rng.randint(0, 1440)
                )
                award = Decimal(rng.randrange(50_000, 2_500_000)) / 100
                decided = state in (S.ACCEPTED, S.CLOSED)
                dossiers.append(
                    Dossier(
                        number=f"{prefix}{index:07d}-{scheme.code}",
                        scheme=scheme,
                        organisation=org,
                        state=state,
                        submitted_at=submitted_at,
                        filed_on=timezone.localtime(submitted_at).date(),
                        title="Transition numérique",
                        result={"scheme": scheme.code, "eligible": True, "award": f"{award:.2f}"},
                        awarded_amount=award if decided else None,
                    )
                )
                reviews_for.append(scheme.region_id)
                index += 1
        Dossier.objects.bulk_create(dossiers, batch_size=BATCH)
        if not dossiers[0].pk:  # backends without RETURNING: read the ids back
            ids = dict(
                Dossier.objects.filter(number__startswith=prefix).values_list("number", "pk")
            )
            for dossier in dossiers:
                dossier.pk = ids[dossier.number]
        reviews = []
        overdue = 0
        for dossier, region_id in zip(dossiers, reviews_for, strict=True):
            if dossier.state == S.SUBMITTED and rng.random() < 0.8:
                continue  # most submitted dossiers have no review yet: "À prendre"
            is_open = dossier.state not in (*TERMINAL_STATES, S.ACCEPTED)
            late = is_open and rng.random() < 0.08
            overdue += late
            assigned = dossier.state != S.SUBMITTED
            reviews.append(
                Review(
                    dossier_id=dossier.pk,
                    agent=rng.choice(agents[region_id]) if assigned else None,
                    taken_at=dossier.submitted_at + timedelta(days=2) if assigned else None,
                    first_contact_due_on=(dossier.submitted_at + timedelta(days=15)).date(),
                    overdue_since=(dossier.submitted_at + timedelta(days=16)).date()
                    if late
                    else None,
                    overdue_reason="Premier contact non réalisé dans les délais" if late else "",
                )
            )
        Review.objects.bulk_create(reviews, batch_size=BATCH)
    return {
        "dossiers": len(dossiers),
        "organisations": len(new_orgs),
        "reviews": len(reviews),
        "overdue": overdue,
    }


class Command(BaseCommand):
    help = "Crée N dossiers de charge (LOAD-…) pour mesurer la file d'instruction."

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, required=True, help="nombre de dossiers")
        parser.add_argument("--region", help="code de la région (HDF, PDL, IDF) ; toutes sinon")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--reset", action="store_true", help="supprime d'abord les LOAD-…")

    def handle(self, *args, dossiers, region, seed: int, reset: bool, **options):
        if dossiers < 1:
            raise CommandError("--dossiers doit être positif.")
        if reset:
            deleted = reset_load()
            self.stdout.write(f"{deleted} objets supprimés.")
        started = timezone.now()
        counts = seed_load(dossiers, region_code=region, seed=seed)
        elapsed = (timezone.now() - started).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['dossiers']} dossiers, {counts['organisations']} organisations, "
                f"{counts['reviews']} instructions ({counts['overdue']} en retard) "
                f"en {elapsed:.1f} s."
            )
        )
