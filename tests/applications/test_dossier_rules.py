import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from applications.enums import DossierState
from applications.models import Dossier, DossierTransitionLog
from applications.services import dossier_create, dossier_submit
from applications.workflow import TransitionError
from organisations.invitations import invitation_accept, invitation_create
from organisations.models import Membership
from schemes.models import Scheme
from tests.applications.factories import DossierFactory, organisation_for
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def member_of(dossier):
    return dossier.organisation.memberships.first().user


def test_an_incomplete_dossier_lists_what_is_missing_with_links(client, open_calls):
    dossier = DossierFactory(title="")
    client.force_login(member_of(dossier))
    page = client.get(reverse("applications:step_summary", args=[dossier.pk])).content.decode()
    assert "Avant de déposer, complétez" in page
    assert reverse("applications:step_project", args=[dossier.pk]) in page
    assert "Ajoutez au moins une dépense." in page
    response = client.post(reverse("applications:submit", args=[dossier.pk]), {"sworn": "on"})
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT
    assert response.url == reverse("applications:step_summary", args=[dossier.pk])


def test_submitting_requires_the_sworn_statement(client, open_calls):
    dossier = DossierFactory(complete=True)
    client.force_login(member_of(dossier))
    response = client.post(reverse("applications:submit", args=[dossier.pk]), {})
    assert response.status_code == 400
    assert "Cochez la déclaration sur l&#x27;honneur" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT


def test_a_double_click_makes_one_submission(
    client, open_calls, django_capture_on_commit_callbacks
):
    dossier = DossierFactory(complete=True)
    client.force_login(member_of(dossier))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("applications:submit", args=[dossier.pk]), {"sworn": "on"})
        second = client.post(
            reverse("applications:submit", args=[dossier.pk]), {"sworn": "on"}, follow=True
        )
    assert "une seule soumission est enregistrée" in text(second)
    assert DossierTransitionLog.objects.filter(dossier=dossier, transition="submit").count() == 1
    assert dossier.documents.count() == 1
    assert len([m for m in mail.outbox if "déposé" in m.subject]) == 1


def test_two_members_submitting_at_once_make_one_submission(open_calls):
    dossier = DossierFactory(complete=True)
    first_member = member_of(dossier)
    second_member = MembershipFactory(organisation=dossier.organisation).user
    seen_by_first = Dossier.objects.get(pk=dossier.pk)
    seen_by_second = Dossier.objects.get(pk=dossier.pk)
    dossier_submit(user=first_member, dossier=seen_by_first, sworn=True)
    with pytest.raises(TransitionError) as exc:
        dossier_submit(user=second_member, dossier=seen_by_second, sworn=True)
    assert "Déposé" in exc.value.message
    assert DossierTransitionLog.objects.filter(dossier=dossier).count() == 1


def test_an_ineligible_dossier_can_still_be_submitted_with_a_warning(client, open_calls):
    dossier = DossierFactory(complete=True)
    dossier.answers = {**dossier.answers, "headcount": 45}
    dossier.save()
    client.force_login(member_of(dossier))
    page = text(client.get(reverse("applications:step_summary", args=[dossier.pk])))
    assert "ne semble pas éligible" in page
    assert "Vous pouvez tout de même le déposer" in page
    dossier_submit(user=member_of(dossier), dossier=dossier, sworn=True)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.result["eligible"] is False and dossier.result["reasons"]


def test_one_open_dossier_per_organisation_and_scheme(open_calls):
    dossier = DossierFactory()
    with pytest.raises(ValidationError) as exc:
        dossier_create(
            user=member_of(dossier),
            organisation=dossier.organisation,
            scheme=dossier.scheme,
            today=dossier.created_at.date(),
        )
    assert "déjà un dossier en cours" in exc.value.messages[0]


def test_the_new_dossier_page_offers_only_open_schemes_of_the_region_and_kind(client, open_calls):
    organisation = organisation_for("PDL-IN")
    user = MembershipFactory(organisation=organisation).user
    client.force_login(user)
    page = text(client.get(reverse("applications:new")))
    assert "Investissement" in page or "PDL" in page
    assert "artisans-commerçants" not in page and "Chèque numérique" not in page
    response = client.post(
        reverse("applications:new"), {"choice": f"{organisation.pk}|INAC"}, follow=True
    )
    assert "Ce dispositif est réservé aux établissements situés en Hauts-de-France." in text(
        response
    )
    assert not Dossier.objects.exists()


def test_a_closed_call_refuses_new_dossiers():
    organisation = organisation_for("INAC")
    user = MembershipFactory(organisation=organisation).user
    with pytest.raises(ValidationError) as exc:
        dossier_create(
            user=user,
            organisation=organisation,
            scheme=Scheme.objects.get(code="INAC"),
            today=organisation.created_at.date(),
        )
    assert "Aucun appel n'est ouvert" in exc.value.messages[0]


@pytest.mark.parametrize(
    "name",
    [
        "detail",
        "step_organisation",
        "step_eligibility",
        "step_project",
        "step_funding",
        "step_documents",
        "step_bank",
        "step_summary",
        "receipt",
    ],
)
def test_a_user_never_sees_another_organisations_dossier(client, name, open_calls):
    dossier = DossierFactory(complete=True)
    client.force_login(UserFactory())
    assert client.get(reverse(f"applications:{name}", args=[dossier.pk])).status_code == 404
    assert (
        client.post(reverse("applications:submit", args=[dossier.pk]), {"sworn": "on"}).status_code
        == 404
    )
    assert dossier.number not in client.get(reverse("applications:list")).content.decode()


def test_a_submitted_dossier_is_frozen(client, open_calls):
    dossier = DossierFactory(complete=True)
    user = member_of(dossier)
    dossier_submit(user=user, dossier=dossier, sworn=True)
    client.force_login(user)
    response = client.post(
        reverse("applications:step_project", args=[dossier.pk]), {"title": "Autre"}, follow=True
    )
    assert "ne peut plus être modifié" in text(response)
    dossier.refresh_from_db()
    assert dossier.title != "Autre"


def test_autosave_answers_with_the_time_and_keeps_the_data(client, open_calls):
    dossier = DossierFactory()
    client.force_login(member_of(dossier))
    response = client.post(
        reverse("applications:step_bank", args=[dossier.pk]),
        {"iban": "FR7630006000011234567890189", "bic": "AGRIFRPPXXX", "account_holder": "Boutique"},
        HTTP_X_REQUESTED_WITH="autosave",
    )
    assert response.status_code == 200
    assert re.fullmatch(r"\d\d:\d\d", response.json()["saved_at"])
    dossier.refresh_from_db()
    assert dossier.iban == "FR7630006000011234567890189"


@pytest.mark.parametrize(
    "iban, bic, message",
    [
        ("FR7630006000011234567890188", "AGRIFRPPXXX", "Cet IBAN n'est pas valide"),
        ("FR7530006000011234567890110", "AGRIFRPPXXX", "Cet IBAN n'est pas valide"),
        ("FR7630006000011234567890189", "BNPAFRPPXXX", "ne correspond pas à la banque"),
        ("FR7630006000011234567890189", "AGRI", "Ce BIC n'est pas valide"),
    ],
)
def test_bad_bank_details_get_a_french_message_and_are_kept(client, open_calls, iban, bic, message):
    dossier = DossierFactory()
    client.force_login(member_of(dossier))
    response = client.post(
        reverse("applications:step_bank", args=[dossier.pk]),
        {"iban": iban, "bic": bic, "account_holder": "Boutique du Nord"},
    )
    html = response.content.decode().replace("&#x27;", "'")
    assert message in html
    assert f'value="{iban}"' in html and 'value="Boutique du Nord"' in html
    dossier.refresh_from_db()
    assert dossier.iban == ""


def test_invitations_let_a_member_bring_a_colleague(client, django_capture_on_commit_callbacks):
    membership = MembershipFactory()
    colleague = UserFactory(email="collegue@exemple.fr")
    client.force_login(membership.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organisations:members", args=[membership.organisation.pk]),
            {"email": "collegue@exemple.fr"},
        )
    assert mail.outbox[-1].to == ["collegue@exemple.fr"]
    token = re.search(r"/organisations/invitation/([^/]+)/", mail.outbox[-1].body).group(1)
    client.force_login(colleague)
    client.post(reverse("organisations:invitation", args=[token]))
    assert Membership.objects.filter(organisation=membership.organisation, user=colleague).exists()
    with pytest.raises(ValidationError):
        invitation_accept(user=colleague, token=token)


def test_an_invitation_only_works_for_its_email(django_capture_on_commit_callbacks):
    membership = MembershipFactory()
    invitation = invitation_create(
        user=membership.user, organisation=membership.organisation, email="prevu@exemple.fr"
    )
    intruder = UserFactory(email="autre@exemple.fr")
    with pytest.raises(ValidationError) as exc:
        invitation_accept(user=intruder, token=invitation.token)
    assert "envoyée à prevu@exemple.fr" in exc.value.messages[0]
    assert not Membership.objects.filter(user=intruder).exists()


def test_only_members_can_invite(client):
    membership = MembershipFactory()
    client.force_login(UserFactory())
    assert (
        client.get(reverse("organisations:members", args=[membership.organisation.pk])).status_code
        == 404
    )
