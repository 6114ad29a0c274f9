import datetime

import factory
from allauth.account.models import EmailAddress
from stdnum import luhn

from accounts.enums import Role
from accounts.models import RoleAssignment, User
from accounts.services import staff_access_grant
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

    @factory.post_generation
    def staff_access(obj, create, extracted, **kwargs):
        """As accounts.services.role_assign does: a manager or administrator gets is_staff."""
        if create:
            staff_access_grant(user=obj.user)


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


class PaymentRequestFactory(factory.django.DjangoModelFactory):
    """An advance asked by a member of an awarded PDL-IN dossier (`DossierFactory(awarded=True)`:
    the calls must be open, fixture `open_calls`). The situations are traits, reached through the
    real services: `certified=True` (service fait by the dossier's agent, the engine's amount),
    `validated=True` (then validated by a finance officer of the region; the payment is
    `request.payment`), `sent_back=True` (certified, then sent back by finance)."""

    class Meta:
        model = "payments.PaymentRequest"
        skip_postgeneration_save = True

    dossier = factory.SubFactory(
        "tests.applications.factories.DossierFactory", scheme_code="PDL-IN", awarded=True
    )
    kind = "advance"
    requested_by = factory.LazyAttribute(lambda o: o.dossier.organisation.memberships.first().user)
    iban = factory.LazyAttribute(lambda o: o.dossier.iban)
    bic = factory.LazyAttribute(lambda o: o.dossier.bic)
    account_holder = "Titulaire"

    class Params:
        certified = factory.Trait(progress__to="certified")
        validated = factory.Trait(progress__to="validated")
        sent_back = factory.Trait(progress__to="sent_back")

    @factory.post_generation
    def progress(obj, create, extracted, to=None, **kwargs):
        if not create or not to:
            return
        from payments import services

        # The agent who instructed the dossier (set by DossierFactory's situation traits).
        services.request_certify(user=obj.dossier.agent, request=obj)
        if to in ("validated", "sent_back"):
            region = obj.dossier.scheme.region.code
            officer = RoleAssignmentFactory(role=Role.FINANCE, region_code=region).user
            if to == "validated":
                services.payment_validate(user=officer, request=obj)
            else:
                services.request_send_back(user=officer, request=obj, reason="IBAN à vérifier.")
        dossier = obj.dossier  # read again below, keeping its `agent`
        obj.refresh_from_db()
        dossier.refresh_from_db()
        obj.dossier = dossier
