"""The Django admin, as a matrix: every registered model × action × staff role × region.

Issue 14, finding 2: a Hauts-de-France scheme manager created a call period and a rule version on
the Pays de la Loire scheme through the admin. The admin registry is walked (admin.site._registry),
so a model registered tomorrow must be classified in `KINDS` before the suite passes.

Roles: an agent and a finance officer of Hauts-de-France (both with `is_staff`, which must not
open the admin to them), a scheme manager of Hauts-de-France, an administrator (role, not
superuser) and a superuser. Region: HDF objects are the manager's own, PDL objects another
region's. Actions: the list, the add page, an add POST pointing at the other region (then the
same POST pointing at the person's region, which must work where adding is allowed: the refusal
is the scope, not a broken form), the change page and a change POST that moves an own object to
the other region, the history page (django-simple-history's, or Django's), the delete page and
POST.
"""

import re
from datetime import date

import lxml.html
import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts.admin_scoping import OUT_OF_SCOPE, ScopedAdminMixin
from accounts.enums import Role
from tests.factories import RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

# How each registered model is open, decided here, not read from the admin classes:
# - "scheme": scheme managers of the object's region read and write it; administrators and
#   superusers everything; nobody but a superuser deletes;
# - "reference": staff of the region read it, administrators read all, only superusers write;
# - "administrators": administrators (role) and superusers only;
# - "log": read by administrators and superusers, written by nobody;
# - "scheme_read": read like "scheme", written by nobody in the admin (rule versions: issue 18,
#   they are written in /gestion/ with four-eyes publishing);
# - "administrators_read": read by administrators, written by superusers only;
# - "superuser": superusers only.
KINDS = {
    "schemes.scheme": "scheme",
    "schemes.ruleversion": "scheme_read",
    "schemes.callperiod": "scheme",
    "territories.region": "reference",
    "territories.department": "reference",
    "organisations.organisation": "administrators",
    "audit.auditevent": "log",
    "api.apitoken": "administrators",
    "api.apicall": "log",
    "api.webhook": "administrators",
    "api.webhookdelivery": "log",
    "accounts.user": "administrators_read",
    "auth.group": "superuser",
    "account.emailaddress": "superuser",
    "otp_totp.totpdevice": "superuser",
    "otp_static.staticdevice": "superuser",
    "axes.accessattempt": "superuser",
    "axes.accesslog": "superuser",
    "axes.accessfailurelog": "superuser",
    "outbox.outboxmessage": "superuser",
}
ROLES = ["agent", "finance", "manager", "administrator", "superuser"]
# Path from each region-owned model to its region's code.
REGION_PATH = {
    "schemes.scheme": "region__code",
    "schemes.ruleversion": "scheme__region__code",
    "schemes.callperiod": "scheme__region__code",
    "territories.region": "code",
    "territories.department": "region__code",
}


def label(model) -> str:
    return model._meta.label_lower


MODELS = sorted(admin.site._registry, key=label)


def reads(kind: str, role: str, region: str | None) -> bool:
    """May `role` see an object of this kind (region: 'own', 'other' or None when regionless)?"""
    if role == "superuser":
        return True
    if role == "administrator":
        return kind in {
            "scheme",
            "scheme_read",
            "reference",
            "administrators",
            "log",
            "administrators_read",
        }
    if role == "manager":
        return kind in {"scheme", "scheme_read", "reference"} and region == "own"
    return False


def writes(kind: str, role: str, region: str | None) -> bool:
    if role == "superuser":
        return True
    if role == "administrator":
        return kind in {"scheme", "administrators"}
    return role == "manager" and kind == "scheme" and region == "own"


@pytest.fixture
def people(db):
    hdf = {"region_code": "HDF"}
    made = {
        "agent": RoleAssignmentFactory(role=Role.AGENT, user__is_staff=True, **hdf).user,
        "finance": RoleAssignmentFactory(role=Role.FINANCE, user__is_staff=True, **hdf).user,
        "manager": RoleAssignmentFactory(role=Role.SCHEME_MANAGER, **hdf).user,
        "administrator": RoleAssignmentFactory(role=Role.ADMIN, region_code=None).user,
        "superuser": UserFactory(is_staff=True, is_superuser=True),
    }
    clients = {}
    for role, user in made.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


@pytest.fixture
def objects(db):
    """An object of each region-owned model in HDF ('own') and PDL ('other'); one object of
    each other model, created when the database has none."""
    from api.services import token_create
    from organisations.models import Organisation
    from schemes.models import CallPeriod, RuleVersion, Scheme
    from tests.factories import OrganisationFactory

    inac, pdl = Scheme.objects.get(code="INAC"), Scheme.objects.get(code="PDL-IN")
    for scheme in (inac, pdl):
        CallPeriod.objects.get_or_create(
            scheme=scheme, opens_on="2030-01-01", defaults={"label": f"Appel {scheme.code}"}
        )
        if not RuleVersion.objects.filter(scheme=scheme).exists():
            RuleVersion.objects.create(
                scheme=scheme, ident=f"{scheme.code}-T", label="Test", valid_from="2030-01-01"
            )
    if not Organisation.objects.exists():
        OrganisationFactory()
    superuser = UserFactory(is_staff=True, is_superuser=True)
    token_create(
        name="Outil", region=inac.region, expires_on=date(2099, 1, 1), created_by=superuser
    )
    found = {}
    for model in MODELS:
        path = REGION_PATH.get(label(model))
        manager = model._default_manager
        if path:
            found[label(model)] = {
                "own": manager.filter(**{path: "HDF"}).order_by("pk").first(),
                "other": manager.filter(**{path: "PDL"}).order_by("pk").first(),
            }
        else:
            found[label(model)] = {None: manager.order_by("pk").first()}
    return found


def url(model, action: str, obj=None) -> str:
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}"
    return reverse(name, args=[obj.pk] if obj is not None else [])


def form_data(client, page: str) -> dict:
    """What a browser would post from the admin form at `page` (inline rows left out)."""
    response = client.get(page)
    assert response.status_code == 200, page
    # The object's form: the page's largest POST form (the header also has a logout form).
    forms = [f for f in lxml.html.fromstring(response.content).forms if f.method == "POST"]
    form = max(forms, key=lambda f: len(f.inputs))
    data: dict = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    for name in list(data):
        if name.endswith(("-TOTAL_FORMS", "-INITIAL_FORMS")):
            data[name] = ["0"]
    prefixes = {n.rsplit("-", 1)[0] for n in data if n.endswith("-TOTAL_FORMS")}
    for name in list(data):
        if any(name.startswith(f"{p}-") and name[len(p) + 1 :][:1].isdigit() for p in prefixes):
            del data[name]
    return data


def renamed_uniques(model, data: dict) -> dict:
    """A copy of `data` whose unique text fields are new values (a copy must not collide)."""
    data = dict(data)
    for field in model._meta.fields:
        if field.unique and isinstance(field, models.CharField) and field.name in data:
            data[field.name] = [f"{data[field.name][0][:8]}-CP"]
    return data


def related_fields(model, own, other) -> dict:
    """The foreign-key fields on which `own` and `other` differ: {name: (own id, other id)}."""
    return {
        field.name: (str(getattr(own, field.attname)), str(getattr(other, field.attname)))
        for field in model._meta.fields
        if isinstance(field, models.ForeignKey)
        and getattr(own, field.attname) != getattr(other, field.attname)
    }


def test_every_registered_admin_and_inline_is_scoped_and_classified():
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, ScopedAdminMixin), label(model)
        for inline in model_admin.inlines:
            assert issubclass(inline, ScopedAdminMixin), f"{label(model)}: {inline.__name__}"
    unclassified = {label(model) for model in MODELS} - set(KINDS)
    assert not unclassified, f"admin models without a kind in KINDS: {sorted(unclassified)}"


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_admin_matrix(model, people, objects):
    kind = KINDS[label(model)]
    problems = []
    cells = objects[label(model)]
    for role in ROLES:
        client = people[role]
        listing = client.get(url(model, "changelist"))
        may_list = any(reads(kind, role, region) for region in cells)
        if (listing.status_code == 200) != may_list:
            problems.append(f"{role} list: {listing.status_code}")
        for region, obj in cells.items():
            if obj is None:
                continue
            change_link = url(model, "change", obj)
            if listing.status_code == 200 and (change_link in listing.content.decode()) != (
                reads(kind, role, region)
            ):
                problems.append(f"{role} list shows {region} object: {change_link}")
            page = client.get(change_link)
            if (page.status_code == 200) != reads(kind, role, region):
                problems.append(f"{role} change page of {region}: {page.status_code}")
            elif page.status_code == 200 and role != "superuser":
                editable = b'type="submit"' in page.content and b'name="_save"' in page.content
                if editable != writes(kind, role, region):
                    problems.append(f"{role} change page of {region}: editable={editable}")
            history = client.get(url(model, "history", obj))
            if (history.status_code == 200) != reads(kind, role, region):
                problems.append(f"{role} history of {region}: {history.status_code}")
            deletion = client.get(url(model, "delete", obj))
            may_delete = role == "superuser" and model_admin_allows_delete(model, obj)
            if (deletion.status_code == 200) != may_delete:
                problems.append(f"{role} delete page of {region}: {deletion.status_code}")
            if role != "superuser":
                client.post(url(model, "delete", obj), {"post": "yes"})
                if not model._default_manager.filter(pk=obj.pk).exists():
                    problems.append(f"{role} deleted the {region} object")
        adding = client.get(url(model, "add"))
        may_add = role == "superuser" or (
            any(writes(kind, role, region) for region in cells) and kind != "reference"
        )
        if role == "superuser":
            may_add = model_admin_allows_add(model)
        elif label(model) == "schemes.scheme":
            may_add = False  # schemes are created by migrations, never in the admin
        if (adding.status_code == 200) != may_add:
            problems.append(f"{role} add page: {adding.status_code}")
    assert not problems, "\n".join(problems)


def model_admin_allows_add(model) -> bool:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return admin.site._registry[model].has_add_permission(request)


def model_admin_allows_delete(model, obj) -> bool:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    return admin.site._registry[model].has_delete_permission(request, obj)


SCOPED = [m for m in MODELS if KINDS[label(m)] == "scheme" and label(m) != "schemes.scheme"]


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_manager_cannot_add_to_another_region_but_can_to_their_own(model, people, objects):
    own, other = objects[label(model)]["own"], objects[label(model)]["other"]
    foreign = renamed_uniques(model, form_data(people["superuser"], url(model, "change", other)))
    count = model._default_manager.count()
    for role in ("manager", "agent", "finance"):
        response = people[role].post(url(model, "add"), foreign)
        assert model._default_manager.count() == count, f"{role} added to the other region"
        assert response.status_code in (200, 403), response.status_code
        if role == "manager":
            tree = lxml.html.fromstring(response.content)
            errors = tree.xpath("//ul[contains(@class, 'errorlist')]")
            assert any("choix valide" in e.text_content() for e in errors), response.status_code
    # The same form pointing at the manager's own region is accepted: the refusal is the scope.
    mine = dict(foreign)
    for name, (own_id, _) in related_fields(model, own, other).items():
        mine[name] = [own_id]
    response = people["manager"].post(url(model, "add"), mine)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert model._default_manager.count() == count + 1


@pytest.mark.parametrize("model", SCOPED, ids=label)
def test_manager_cannot_move_an_own_object_to_another_region(model, people, objects):
    own, other = objects[label(model)]["own"], objects[label(model)]["other"]
    data = form_data(people["manager"], url(model, "change", own))
    for name, (_, other_id) in related_fields(model, own, other).items():
        data[name] = [other_id]
    response = people["manager"].post(url(model, "change", own), data)
    assert response.status_code in (200, 403)
    own.refresh_from_db()
    assert own.scheme.region.code == "HDF"


def test_manager_cannot_add_a_call_period_to_another_region_through_the_scheme_page(
    people, objects
):
    """The inline of the scheme page: a posted row with the other region's scheme id."""
    from schemes.models import CallPeriod, Scheme

    inac, pdl = Scheme.objects.get(code="INAC"), Scheme.objects.get(code="PDL-IN")
    data = form_data(people["manager"], url(Scheme, "change", inac))
    prefix = next(n for n in data if n.endswith("-TOTAL_FORMS")).rsplit("-", 1)[0]
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": ["1"],
            f"{prefix}-0-scheme": [str(pdl.pk)],
            f"{prefix}-0-opens_on": ["01/01/2031"],
            f"{prefix}-0-label": ["Intrus"],
        }
    )
    count = CallPeriod.objects.filter(scheme=pdl).count()
    people["manager"].post(url(Scheme, "change", inac), data)
    assert CallPeriod.objects.filter(scheme=pdl).count() == count
    assert not CallPeriod.objects.filter(label="Intrus", scheme__region__code="PDL").exists()


def test_the_save_time_check_refuses_an_object_outside_the_scope(people, objects, rf):
    """Even if a form let a foreign id through, the save is refused (and rolled back)."""
    from django.core.exceptions import PermissionDenied

    from schemes.models import CallPeriod, Scheme

    model_admin = admin.site._registry[CallPeriod]
    manager = RoleAssignmentFactory(role=Role.SCHEME_MANAGER, region_code="HDF").user
    request = rf.post("/admin/")
    request.user = manager
    period = CallPeriod(scheme=Scheme.objects.get(code="PDL-IN"), opens_on="2031-01-01")
    with pytest.raises(PermissionDenied, match=re.escape(OUT_OF_SCOPE)):
        model_admin.save_model(request, period, form=None, change=False)


def test_superuser_sees_every_region(people, objects):
    from schemes.models import RuleVersion

    listing = people["superuser"].get(url(RuleVersion, "changelist")).content.decode()
    for region in ("own", "other"):
        assert url(RuleVersion, "change", objects["schemes.ruleversion"][region]) in listing


def test_an_administrator_reads_accounts_and_resets_a_second_factor_but_edits_no_account(people):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    agent = RoleAssignmentFactory(role=Role.AGENT, region_code="HDF").user
    TOTPDevice.objects.create(user=agent, name="Téléphone", confirmed=True)
    client = people["administrator"]
    assert client.get(url(User, "change", agent)).status_code == 200
    client.post(url(User, "change", agent), {"email": agent.email, "is_superuser": "on"})
    agent.refresh_from_db()
    assert not agent.is_superuser
    client.post(
        url(User, "changelist"), {"action": "reset_two_factor", "_selected_action": [agent.pk]}
    )
    assert not TOTPDevice.objects.filter(user=agent).exists()


def test_manager_cannot_open_nor_revert_a_past_version_of_another_region(people, objects):
    from schemes.models import RuleVersion

    other = objects["schemes.ruleversion"]["other"]
    # A published version is immutable (issue 18): the history row comes from a draft's edit.
    RuleVersion.objects.filter(pk=other.pk).update(status="draft")
    other.refresh_from_db()
    other.label = "Libellé modifié"
    other.save()
    record = other.history.order_by("history_id").first()
    page = reverse("admin:schemes_ruleversion_simple_history", args=[other.pk, record.history_id])
    assert people["manager"].get(page).status_code == 403
    people["manager"].post(page, {"label": "Retour arrière"})
    assert RuleVersion.objects.get(pk=other.pk).label == "Libellé modifié"
    assert people["superuser"].get(page).status_code == 200
