import datetime

import factory
from allauth.account.models import EmailAddress
from stdnum import luhn

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from organisations.enums import MemberRole, OrganisationKind
from organisations.models import Membership, Organisation
from territories.models import Department, Region

PASSWORD = "Mot-de-passe-solide-42"


def make_siret(n: int) -> str:
    """A valid SIRET (Luhn on SIREN and SIRET) built from a sequence number."""
    siren8 = f"{70000000 + n:08d}"
    siren = siren8 + luhn.calc_check_digit(siren8)
    base = siren + "0001"
    return base + luhn.calc_check_digit(base)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )

    class Params:
        agent_hdf = factory.Trait(
            role_assignment=factory.RelatedFactory(
                "tests.factories.RoleAssignmentFactory", "user", role=Role.AGENT, region_code="HDF"
            )
        )


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment
        exclude = ["region_code"]

    user = factory.SubFactory(UserFactory)
    role = Role.AGENT
    region_code = "HDF"
    region = factory.LazyAttribute(
        lambda o: Region.objects.get(code=o.region_code) if o.region_code else None
    )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.COMPANY
    name = factory.Sequence(lambda n: f"Entreprise {n}")
    siret = factory.Sequence(make_siret)
    legal_form = "SARL"
    naf = "47.71Z"
    postal_code = "59000"
    city = "Lille"
    created_on = datetime.date(2015, 3, 1)
    department = factory.LazyFunction(lambda: Department.objects.get(code="59"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.OWNER
