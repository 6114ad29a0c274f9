"""Authorization matrix: every URL pattern of the portal, for every role, against A's and B's objects.

The patterns are read from the URL conf, so a new URL without an entry in `MATRIX` fails
`test_every_url_pattern_has_an_entry`. Each entry says how to build the URL for an object of
organisation A (Hauts-de-France, INAC) and of organisation B (Pays de la Loire, PDL-IN), and the
answer each role must get. Roles are written relative to the object's owner:

- `member` / `other_member`: a member of the owning organisation / of the other one;
- `agent` / `other_agent`: the instructing agent of the owner's region / of the other region;
- `finance`, `manager`: the HDF finance officer and scheme manager (only HDF has them), so for
  B's objects they appear as `other_finance`, `other_manager`;
- `anonymous`, `admin` (a superuser, every region).

POST-only views are fetched with GET (405 expected for the people who pass the access checks);
the people who must not touch the object also POST an empty body and must get 403/404 with the
object's state unchanged.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticToken

from accounts.models import TwoFactorEnrolment
from applications.models import Attachment, Dossier
from instruction.models import (
    BatchJob,
    CommissionSession,
    DossierLabel,
    QueueLabel,
    QueuePreference,
    SavedFilter,
)
from organisations.models import Invitation
from payments.models import PaymentBatch, PaymentRequest, ProviderChange, RecoveryOrder
from schemes.models import BudgetEnvelope
from tests.security.conftest import ROLES

pytestmark = pytest.mark.django_db

ALLOW, LOGIN, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = "allow", "login", "403", "404", "405"
# POST-only views: the person passes the access check but the action is refused with a French
# message and a redirect (state unchanged), e.g. an agent of the region on the budget raise.
MESSAGE = "refused-with-message"
LOGIN_URL = "/comptes/login/"

# Prefixes (or URL conf modules) not listed pattern by pattern, and how they are checked instead.
SKIPPED = {
    "admin/": "Django admin internals: checked through 3 representative URLs (index, a changelist "
    "and a change page of A's dossier) in ADMIN_SAMPLES.",
    "allauth.urls": "allauth's account pages: checked through representative entries "
    "(login, signup, logout, password reset, e-mail management) in MATRIX.",
}

OWNER_ROLES = {
    "a": {
        "member_a": "member",
        "member_b": "other_member",
        "agent_hdf": "agent",
        "agent_pdl": "other_agent",
        "finance_hdf": "finance",
        "manager_hdf": "manager",
    },
    "b": {
        "member_a": "other_member",
        "member_b": "member",
        "agent_hdf": "other_agent",
        "agent_pdl": "agent",
        "finance_hdf": "other_finance",
        "manager_hdf": "other_manager",
    },
}


# --- Enumeration of the URL conf ---------------------------------------------------------------


def walk(patterns=None, namespace="", prefix="", source="portal.urls"):
    """(key, route, source) of every URL pattern, recursively; key is `namespace:name`."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            module = entry.urlconf_name
            # Everything under allauth.urls (and its own includes) counts as allauth.
            module_name = module if isinstance(module, str) else getattr(module, "__name__", "")
            name = source if source.startswith("allauth") or not module_name else module_name
            inner = ":".join(p for p in (namespace, entry.namespace) if p)
            yield from walk(entry.url_patterns, inner, route, name)
        elif isinstance(entry, URLPattern):
            key = ":".join(p for p in (namespace, entry.name or route) if p)
            yield key, route, source


def is_skipped(route: str, source: str) -> bool:
    return source.startswith("allauth") or any(
        route.startswith(p) for p in SKIPPED if p.endswith("/")
    )


# --- The table ---------------------------------------------------------------------------------


@dataclass
class Entry:
    """How to reach a pattern and who may. `kwargs(world, side)` builds the URL's arguments."""

    expect: dict
    kwargs: Callable = lambda w, s: {}
    owners: tuple = (None,)
    post_only: bool = False
    state: Callable | None = None  # snapshot of the object a refused POST must leave untouched
    query: str = ""
    bugs: dict = field(default_factory=dict)  # (owner, role) -> reason, documented as xfail


PUBLIC = {"default": ALLOW}
API_TOKEN_ONLY = {"default": "401"}  # a session is not an API credential
THIS_YEAR = date.today().year
LOGGED_IN = {"default": ALLOW, "anonymous": LOGIN}
MEMBER = {"default": NOT_FOUND, "anonymous": LOGIN, "member": ALLOW}
# Agents' pages: a non-agent is refused (403), an agent outside the scope gets 404.
AGENT = {
    "default": FORBIDDEN,
    "anonymous": LOGIN,
    "agent": ALLOW,
    "other_agent": NOT_FOUND,
    "admin": ALLOW,
}
# Files of a dossier readable by its members and by the agents of its scope; 404 for anyone else.
READER = {
    "default": NOT_FOUND,
    "anonymous": LOGIN,
    "member": ALLOW,
    "agent": ALLOW,
    "admin": ALLOW,
}
# Payment files: also the finance officers of the region, who check them before validating.
PAYMENT_READER = {**READER, "finance": ALLOW}
# Agent-only views guarded by the agent scope alone (404 for everyone outside it).
AGENT_SCOPE = {"default": NOT_FOUND, "anonymous": LOGIN, "agent": ALLOW, "admin": ALLOW}
STAFF_LIST_ANY = {
    "default": FORBIDDEN,
    "anonymous": LOGIN,
    "agent_hdf": ALLOW,
    "agent_pdl": ALLOW,
    "finance_hdf": ALLOW,
    "manager_hdf": ALLOW,
    "admin": ALLOW,
}
AGENT_LIST = {**STAFF_LIST_ANY, "finance_hdf": FORBIDDEN, "manager_hdf": FORBIDDEN}
FINANCE_LIST = {"default": FORBIDDEN, "anonymous": LOGIN, "finance_hdf": ALLOW, "admin": ALLOW}
# Finance objects: finance of the owner's region; finance elsewhere 404; non-finance 403.
FINANCE_OBJECT = {
    "default": FORBIDDEN,
    "anonymous": LOGIN,
    "finance": ALLOW,
    "other_finance": NOT_FOUND,
    "admin": ALLOW,
}
EXPORT_OWNER = {
    "default": FORBIDDEN,
    "anonymous": LOGIN,
    "agent": ALLOW,
    "other_agent": NOT_FOUND,
    "admin": NOT_FOUND,
}
BOTH = ("a", "b")


def dossier(w, s):
    return {"pk": s.dossier.pk}


def draft(w, s):
    return {"pk": s.draft.pk}


def dossier_state(w, s):
    return Dossier.objects.filter(pk=s.dossier.pk).values_list("state", "last_saved_at").first()


def draft_state(w, s):
    return Dossier.objects.filter(pk=s.draft.pk).values_list("state", "last_saved_at").first()


def request_state(w, s):
    return (
        PaymentRequest.objects.filter(dossier=s.dossier)
        .values_list("pk", "state")
        .order_by("pk")[::1]
    )


def batch_state(w, s):
    batch = PaymentBatch.objects.get(pk=s.batch.pk)
    return batch.state, batch.csv_sha256, list(batch.payments.values_list("pk", flat=True))


GOVERN = {
    "default": NOT_FOUND,
    "anonymous": LOGIN,
    "manager": ALLOW,
    "other_manager": NOT_FOUND,
    "admin": ALLOW,
}


def scheme_code(w, s):
    return {"code": s.dossier.scheme.code}


def rule_version(w, s):
    version = s.dossier.scheme.rule_versions.order_by("pk").first()
    return {"code": s.dossier.scheme.code, "pk": version.pk}


def impact_run(w, s):
    from governance.models import ImpactRun

    version = s.dossier.scheme.rule_versions.order_by("pk").first()
    run, _ = ImpactRun.objects.get_or_create(version=version, on_day=date(2026, 1, 1))
    return {**rule_version(w, s), "run": run.pk}


def rule_version_state(w, s):
    version = s.dossier.scheme.rule_versions.order_by("pk").first()
    return (
        version.status,
        version.amendments.count(),
        version.impact_runs.count(),
        version.transitions.count(),
    )


MATRIX: dict[str, Entry] = {
    # Portal pages
    "portal:home": Entry(PUBLIC),
    "portal:space": Entry(LOGGED_IN),
    "portal:my_data": Entry(LOGGED_IN),  # the person's own data (no id in the URL)
    "portal:close_account": Entry(LOGGED_IN),
    "portal:notifications": Entry(STAFF_LIST_ANY),  # the staff member's own e-mail choices
    "portal:legal_notice": Entry(PUBLIC),
    "portal:accessibility": Entry(PUBLIC),
    "portal:personal_data": Entry(PUBLIC),
    "portal:verify_document": Entry(PUBLIC),
    "healthz": Entry(PUBLIC),
    "health_live": Entry(PUBLIC),
    "health_ready": Entry(PUBLIC),
    # Accounts (own data only: no object id in the URL)
    # Second factor (a password-only staff session: tests/accounts/test_two_factor_class.py)
    "accounts:otp_manage": Entry(LOGGED_IN),
    "accounts:otp_verify": Entry(LOGGED_IN),
    "accounts:otp_replace": Entry(LOGGED_IN),
    "accounts:otp_request_link": Entry(
        LOGGED_IN, post_only=True, state=lambda w, s: TwoFactorEnrolment.objects.count()
    ),
    "accounts:otp_backup_codes": Entry(
        LOGGED_IN, post_only=True, state=lambda w, s: StaticToken.objects.count()
    ),
    "accounts:otp_enrol": Entry(
        {"default": NOT_FOUND, "anonymous": LOGIN}, lambda w, s: {"token": "x"}
    ),
    "accounts:login_history": Entry(LOGGED_IN),
    # allauth, representative entries
    "account_login": Entry(PUBLIC),
    "account_signup": Entry(PUBLIC),
    "account_logout": Entry(PUBLIC),
    "account_reset_password": Entry(PUBLIC),
    "account_email": Entry(LOGGED_IN),
    # Organisations
    "organisations:list": Entry(LOGGED_IN),
    "organisations:add": Entry(LOGGED_IN),
    "organisations:edit": Entry(MEMBER, lambda w, s: {"pk": s.organisation.pk}, BOTH),
    "organisations:members": Entry(MEMBER, lambda w, s: {"pk": s.organisation.pk}, BOTH),
    "organisations:invitation_delete": Entry(
        MEMBER,
        lambda w, s: {"pk": s.organisation.pk, "invitation_id": s.invitation.pk},
        BOTH,
        post_only=True,
        state=lambda w, s: Invitation.objects.get(pk=s.invitation.pk).revoked_at,
    ),
    # The token is the capability: any logged-in person holding the link sees the invitation.
    "organisations:invitation": Entry(LOGGED_IN, lambda w, s: {"token": s.invitation.token}, BOTH),
    # Schemes (public)
    "schemes:list": Entry(PUBLIC),
    "schemes:simulator": Entry(PUBLIC),
    "schemes:source_text": Entry(PUBLIC, lambda w, s: {"name": "hdf-inac-fiche.md"}),
    "schemes:detail": Entry(PUBLIC, lambda w, s: {"code": s.dossier.scheme.code}, BOTH),
    # Applicant's dossiers
    "applications:list": Entry(LOGGED_IN),
    "applications:new": Entry(LOGGED_IN),
    "applications:detail": Entry(MEMBER, dossier, BOTH),
    "applications:step_organisation": Entry(MEMBER, draft, BOTH),
    "applications:step_eligibility": Entry(MEMBER, draft, BOTH),
    "applications:step_project": Entry(MEMBER, draft, BOTH),
    "applications:step_funding": Entry(MEMBER, draft, BOTH),
    "applications:step_documents": Entry(MEMBER, draft, BOTH),
    "applications:attachment_download": Entry(
        MEMBER, lambda w, s: {"pk": s.dossier.pk, "attachment_id": s.attachment.pk}, BOTH
    ),
    "applications:attachment_delete": Entry(
        MEMBER,
        lambda w, s: {"pk": s.draft.pk, "attachment_id": s.draft_attachment.pk},
        BOTH,
        post_only=True,
        state=lambda w, s: Attachment.objects.filter(pk=s.draft_attachment.pk).exists(),
    ),
    "applications:step_bank": Entry(MEMBER, draft, BOTH),
    "applications:step_summary": Entry(MEMBER, draft, BOTH),
    "applications:submit": Entry(MEMBER, draft, BOTH, post_only=True, state=draft_state),
    "applications:receipt": Entry(MEMBER, dossier, BOTH),
    "applications:official_document": Entry(
        MEMBER, lambda w, s: {"pk": s.dossier.pk, "document_id": s.award.pk}, BOTH
    ),
    # Applicant side of instruction
    "instruction_applicant:complements_answer": Entry(
        MEMBER, dossier, BOTH, post_only=True, state=dossier_state
    ),
    "instruction_applicant:message_post": Entry(
        MEMBER,
        dossier,
        BOTH,
        post_only=True,
        state=lambda w, s: s.dossier.messages.count(),
    ),
    "instruction_applicant:message_attachment": Entry(
        READER, lambda w, s: {"pk": s.dossier.pk, "message_id": s.message.pk}, BOTH
    ),
    # Instruction (agents)
    "instruction:queue": Entry(AGENT_LIST),
    "instruction:export": Entry(AGENT_LIST, query="?format=csv"),
    "instruction:bulk_assign": Entry(
        AGENT_LIST,
        post_only=True,
        state=lambda w, s: Dossier.objects.filter(review__agent__isnull=False).count(),
    ),
    "instruction:bulk_label": Entry(
        AGENT_LIST, post_only=True, state=lambda w, s: DossierLabel.objects.count()
    ),
    "instruction:columns": Entry(
        AGENT_LIST, post_only=True, state=lambda w, s: QueuePreference.objects.count()
    ),
    "instruction:filter_save": Entry(
        AGENT_LIST, post_only=True, state=lambda w, s: SavedFilter.objects.count()
    ),
    # Only its author deletes a saved filter (a shared one included): 404 for anyone else.
    "instruction:filter_delete": Entry(
        {**AGENT, "admin": NOT_FOUND},
        lambda w, s: {"pk": s.saved_filter.pk},
        BOTH,
        post_only=True,
        state=lambda w, s: SavedFilter.objects.filter(pk=s.saved_filter.pk).exists(),
    ),
    "instruction:labels": Entry(AGENT_LIST),
    "instruction:batches": Entry(AGENT_LIST),
    "instruction:batch_prepare": Entry(
        AGENT_LIST, post_only=True, state=lambda w, s: BatchJob.objects.count()
    ),
    "instruction:batch_start": Entry(
        AGENT_LIST, post_only=True, state=lambda w, s: BatchJob.objects.count()
    ),
    # A batch's results: the agent who launched it (and administrators); 404 for anyone else.
    "instruction:batch": Entry(AGENT, lambda w, s: {"pk": s.job.pk}, BOTH),
    "instruction:label_delete": Entry(
        AGENT,
        lambda w, s: {"pk": s.label.pk},
        BOTH,
        post_only=True,
        state=lambda w, s: QueueLabel.objects.filter(pk=s.label.pk).exists(),
    ),
    "instruction:dossier": Entry(AGENT, dossier, BOTH),
    "instruction:action": Entry(
        AGENT,
        lambda w, s: {"pk": s.dossier.pk, "action": "take"},
        BOTH,
        post_only=True,
        state=dossier_state,
    ),
    "instruction:attachment": Entry(
        AGENT, lambda w, s: {"pk": s.dossier.pk, "attachment_id": s.attachment.pk}, BOTH
    ),
    "instruction:attachment_preview": Entry(
        AGENT, lambda w, s: {"pk": s.dossier.pk, "attachment_id": s.attachment.pk}, BOTH
    ),
    "instruction:dossier_archive": Entry(AGENT, lambda w, s: {"pk": s.dossier.pk}, BOTH),
    "instruction:document": Entry(
        AGENT_SCOPE, lambda w, s: {"pk": s.dossier.pk, "document_id": s.award.pk}, BOTH
    ),
    "instruction:sessions": Entry(AGENT_LIST),
    "instruction:bulk_messages": Entry(AGENT_LIST),  # audiences computed in the agent's scope
    # The IDF session belongs to neither A's nor B's region: only the administrator sees it.
    "instruction:session": Entry(
        {**AGENT_LIST, "agent_hdf": NOT_FOUND, "agent_pdl": NOT_FOUND},
        lambda w, s: {"pk": w.session.pk},
    ),
    "instruction:session_schedule": Entry(
        {**AGENT_LIST, "agent_hdf": NOT_FOUND, "agent_pdl": NOT_FOUND},
        lambda w, s: {"pk": w.session.pk},
        post_only=True,
        state=lambda w, s: CommissionSession.objects.get(pk=w.session.pk).items.count(),
    ),
    "instruction:session_vote": Entry(
        {**AGENT_LIST, "agent_hdf": NOT_FOUND, "agent_pdl": NOT_FOUND},
        lambda w, s: {"pk": w.session.pk},
        post_only=True,
        state=lambda w, s: CommissionSession.objects.get(pk=w.session.pk).items.count(),
    ),
    "instruction:session_unschedule": Entry(
        {**AGENT_LIST, "agent_hdf": NOT_FOUND, "agent_pdl": NOT_FOUND},
        lambda w, s: {"pk": w.session.pk},
        post_only=True,
        state=lambda w, s: CommissionSession.objects.get(pk=w.session.pk).items.count(),
    ),
    # Payments: beneficiary
    # Each person's own panels (no object id in the URL).
    "payments:home": Entry(LOGGED_IN),
    "payments:request_new": Entry(
        MEMBER, lambda w, s: {"pk": s.dossier.pk, "kind": "balance"}, BOTH
    ),
    "payments:statement_pdf": Entry(MEMBER, dossier, BOTH),
    "payments:provider_change_new": Entry(MEMBER, dossier, BOTH),
    "payments:invoice_file": Entry(
        PAYMENT_READER, lambda w, s: {"pk": s.dossier.pk, "invoice_id": s.invoice.pk}, BOTH
    ),
    "payments:payment_file": Entry(
        PAYMENT_READER,
        lambda w, s: {"pk": s.dossier.pk, "kind": "devis", "obj_id": s.advance.pk},
        BOTH,
    ),
    # Payments: instructing agent
    "payments:request_certify": Entry(
        AGENT_SCOPE,
        lambda w, s: {"pk": s.dossier.pk, "request_id": s.balance.pk},
        BOTH,
        post_only=True,
        state=request_state,
    ),
    "payments:provider_change_decide": Entry(
        AGENT_SCOPE,
        lambda w, s: {"pk": s.dossier.pk, "change_id": s.change.pk},
        BOTH,
        post_only=True,
        state=lambda w, s: ProviderChange.objects.get(pk=s.change.pk).state,
    ),
    # Payments: finance
    "payments:finance_queue": Entry(FINANCE_LIST),
    # GET shows the confirmation page; the confirmed POST acts (issue 13 point 9).
    "payments:finance_validate": Entry(
        FINANCE_OBJECT,
        lambda w, s: {"pk": s.balance.pk},
        BOTH,
        state=request_state,
    ),
    "payments:finance_send_back": Entry(
        FINANCE_OBJECT,
        lambda w, s: {"pk": s.balance.pk},
        BOTH,
        post_only=True,
        state=request_state,
    ),
    "payments:batches": Entry(FINANCE_LIST),
    "payments:batch_create": Entry(
        FINANCE_LIST, post_only=True, state=lambda w, s: PaymentBatch.objects.count()
    ),
    "payments:batch_detail": Entry(FINANCE_OBJECT, lambda w, s: {"pk": s.batch.pk}, BOTH),
    # GET shows the confirmation page; the confirmed POST acts (issue 13 point 9).
    "payments:batch_export": Entry(
        FINANCE_OBJECT,
        lambda w, s: {"pk": s.batch.pk},
        BOTH,
        state=batch_state,
    ),
    "payments:batch_remove": Entry(
        FINANCE_OBJECT,
        lambda w, s: {"pk": s.batch.pk, "payment_pk": s.payment.pk},
        BOTH,
        post_only=True,
        state=batch_state,
    ),
    "payments:batch_file": Entry(
        FINANCE_OBJECT, lambda w, s: {"pk": s.batch.pk, "fmt": "csv"}, BOTH
    ),
    "payments:batch_paid": Entry(
        FINANCE_OBJECT,
        lambda w, s: {"pk": s.batch.pk},
        BOTH,
        post_only=True,
        state=batch_state,
    ),
    "payments:batch_return": Entry(
        FINANCE_OBJECT,
        lambda w, s: {"pk": s.batch.pk},
        BOTH,
        post_only=True,
        state=batch_state,
    ),
    "payments:finance_profile": Entry(FINANCE_LIST),
    "payments:finance_numbers": Entry(FINANCE_OBJECT, dossier, BOTH),
    "payments:recoveries": Entry(FINANCE_LIST),
    "payments:recovery_received": Entry(
        FINANCE_OBJECT,
        lambda w, s: {"pk": s.recovery.pk},
        BOTH,
        post_only=True,
        state=lambda w, s: RecoveryOrder.objects.get(pk=s.recovery.pk).received_on,
    ),
    # Budget pages: staff of the scheme's region (agents, finance, managers); others 403/404.
    "payments:budget": Entry(
        {
            "default": FORBIDDEN,
            "anonymous": LOGIN,
            "agent": ALLOW,
            "other_agent": NOT_FOUND,
            "finance": ALLOW,
            "other_finance": NOT_FOUND,
            "manager": ALLOW,
            "other_manager": NOT_FOUND,
            "admin": ALLOW,
        },
        lambda w, s: {"code": s.dossier.scheme.code},
        BOTH,
    ),
    "payments:budget_raise": Entry(
        {
            "default": FORBIDDEN,
            "anonymous": LOGIN,
            "agent": MESSAGE,  # sees the budget page, may not raise it
            "other_agent": NOT_FOUND,
            "finance": MESSAGE,
            "other_finance": NOT_FOUND,
            "manager": ALLOW,
            "other_manager": NOT_FOUND,
            "admin": ALLOW,
        },
        lambda w, s: {"code": s.dossier.scheme.code, "year": w.year},
        BOTH,
        post_only=True,
        state=lambda w, s: (
            BudgetEnvelope.objects.get(scheme=s.dossier.scheme, year=w.year).voted_amount
        ),
    ),
    "payments:dashboard": Entry(STAFF_LIST_ANY),
    "payments:dashboard_csv": Entry(STAFF_LIST_ANY),
    # Public API: POST only, no login (the answers themselves: test_api_answers_alike)
    # Open data and statistics: public, aggregated, no personal data
    "reporting:statistics": Entry(PUBLIC),
    "reporting:statistics_csv": Entry(PUBLIC),
    "reporting:open_data": Entry(PUBLIC),
    "reporting:scdl_csv": Entry(PUBLIC, kwargs=lambda w, s: {"region": "HDF", "year": THIS_YEAR}),
    # Export jobs of the queue: asked by agents; a job (and its file) only for the agent who
    # asked, while still an agent (403 otherwise); anyone else's job is a 404, admins included.
    "reporting:queue_export": Entry(AGENT_LIST, query="?format=csv"),
    "reporting:export": Entry(EXPORT_OWNER, lambda w, s: {"job_id": s.export_job.pk}, BOTH),
    "reporting:export_file": Entry(EXPORT_OWNER, lambda w, s: {"job_id": s.export_job.pk}, BOTH),
    # The national de minimis register: staff of the region only
    "reporting:register_csv": Entry(
        {
            "default": FORBIDDEN,
            "anonymous": LOGIN,
            "agent_hdf": ALLOW,
            "finance_hdf": ALLOW,
            "manager_hdf": ALLOW,
            "admin": ALLOW,
            "agent_pdl": NOT_FOUND,
        },
        kwargs=lambda w, s: {"region": "HDF", "year": THIS_YEAR},
    ),
    # Rule governance (/gestion/, issue 18): scheme managers of the scheme's region and
    # administrators; every other person gets 404 (no hint the scheme's pages exist), and the
    # home page 403 for people who manage no scheme.
    "governance:home": Entry(
        {"default": FORBIDDEN, "anonymous": LOGIN, "manager_hdf": ALLOW, "admin": ALLOW}
    ),
    "governance:scheme": Entry(GOVERN, scheme_code, BOTH),
    "governance:import": Entry(GOVERN, scheme_code, BOTH),
    "governance:case_new": Entry(GOVERN, scheme_code, BOTH),
    "governance:case_edit": Entry(
        GOVERN,
        lambda w, s: {**scheme_code(w, s), "case": s.dossier.scheme.golden_cases.first().pk},
        BOTH,
    ),
    "governance:draft_new": Entry(
        GOVERN,
        scheme_code,
        BOTH,
        post_only=True,
        state=lambda w, s: s.dossier.scheme.rule_versions.count(),
    ),
    "governance:edit": Entry(GOVERN, rule_version, BOTH),
    "governance:preview": Entry(GOVERN, rule_version, BOTH),
    "governance:export": Entry(GOVERN, lambda w, s: {**rule_version(w, s), "fmt": "json"}, BOTH),
    "governance:impact_status": Entry(GOVERN, impact_run, BOTH),
    **{
        f"governance:{name}": Entry(
            GOVERN, rule_version, BOTH, post_only=True, state=rule_version_state
        )
        for name in ("submit", "reopen", "publish", "withdraw", "expect", "impact")
    },
    # REST API: only API tokens authenticate, never a session (scopes: tests/api)
    "api:schema": Entry(PUBLIC),
    "api:docs": Entry(PUBLIC),
    "api:dossier-list": Entry(API_TOKEN_ONLY),
    "api:dossier-detail": Entry(
        API_TOKEN_ONLY, kwargs=lambda w, s: {"number": s.dossier.number}, owners=BOTH
    ),
    "api:dossier-transitions": Entry(
        API_TOKEN_ONLY, kwargs=lambda w, s: {"number": s.dossier.number}, owners=BOTH
    ),
    "api:decision-list": Entry(API_TOKEN_ONLY),
    "api:decision-detail": Entry(
        API_TOKEN_ONLY, kwargs=lambda w, s: {"number": s.dossier.number}, owners=BOTH
    ),
    "api:payment-list": Entry(API_TOKEN_ONLY),
    "api:payment-detail": Entry(API_TOKEN_ONLY, kwargs=lambda w, s: {"pk": 1}),
    "api:scheme-list": Entry(API_TOKEN_ONLY),
    "api:scheme-detail": Entry(API_TOKEN_ONLY, kwargs=lambda w, s: {"code": "INAC"}),
    "api:scheme-versions": Entry(API_TOKEN_ONLY, kwargs=lambda w, s: {"code": "INAC"}),
    "api_simulate": Entry({"default": NOT_ALLOWED}),
    "api_settle": Entry({"default": NOT_ALLOWED}),
}

# Other variants (file kinds, formats, documents) of some patterns: they follow the same rule.
VARIANTS = {
    "payments:payment_file": [
        (lambda w, s: {"pk": s.dossier.pk, "kind": "rib", "obj_id": s.advance.pk}, ""),
        (
            lambda w, s: {"pk": s.dossier.pk, "kind": "devis-changement", "obj_id": s.change.pk},
            "",
        ),
    ],
    "payments:batch_file": [(lambda w, s: {"pk": s.batch.pk, "fmt": "xlsx"}, "")],
    "applications:official_document": [
        (lambda w, s: {"pk": s.dossier.pk, "document_id": s.acknowledgment.pk}, ""),
        (lambda w, s: {"pk": s.dossier.pk, "document_id": s.receipt.pk}, ""),
    ],
    "instruction:document": [
        (lambda w, s: {"pk": s.dossier.pk, "document_id": s.acknowledgment.pk}, ""),
        (lambda w, s: {"pk": s.dossier.pk, "document_id": s.receipt.pk}, ""),
    ],
    "instruction:export": [(lambda w, s: {}, "?format=xlsx")],
    "portal:my_data": [(lambda w, s: {}, "?format=json")],
}

# The Django admin, through representative URLs: staff with admin rights only.
ADMIN_SAMPLES = {
    "admin:index": lambda w: {},
    "admin:organisations_organisation_changelist": lambda w: {},
    "admin:organisations_organisation_change": lambda w: {"object_id": w.a.organisation.pk},
}
ADMIN_EXPECT = {
    "anonymous": LOGIN,
    "member_a": LOGIN,
    "member_b": LOGIN,
    "agent_hdf": LOGIN,
    "agent_pdl": LOGIN,
    "finance_hdf": LOGIN,
    "manager_hdf": FORBIDDEN,  # staff (scheme managers work in the admin) without model rights
    "admin": ALLOW,
}

# Files, PDFs and exports: each must be in the matrix and refused to the other organisation.
FILE_URLS = {
    "applications:attachment_download",
    "applications:receipt",
    "applications:official_document",
    "instruction:attachment",
    "instruction:attachment_preview",
    "instruction:dossier_archive",
    "instruction:document",
    "instruction_applicant:message_attachment",
    "payments:invoice_file",
    "payments:payment_file",
    "payments:statement_pdf",
    "payments:batch_file",
    "reporting:export_file",
}
EXPORT_URLS = {"instruction:export", "payments:dashboard_csv"}


# --- Machinery ---------------------------------------------------------------------------------


def answer_of(response) -> str:
    code = response.status_code
    assert code < 500, f"server error {code}"
    if 200 <= code < 300:
        return ALLOW
    if code in (301, 302, 303, 307, 308):
        return LOGIN if response["Location"].split("?")[0].endswith("/login/") else ALLOW
    return {403: FORBIDDEN, 404: NOT_FOUND, 405: NOT_ALLOWED}.get(code, str(code))


def expected_for(spec: dict, owner, role: str) -> str:
    relative = OWNER_ROLES[owner].get(role, role) if owner else role
    return spec.get(relative, spec.get(role, spec["default"]))


def drain(response) -> bytes:
    if getattr(response, "streaming", False):
        # Consuming the test client's wrapper closes the response without closing the database
        # connection (an explicit close() would, and the module's world lives in a transaction).
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture(scope="module")
def clients(world):
    made = {"anonymous": Client()}
    for role in ROLES[1:]:
        made[role] = Client()
        made[role].force_login(world.users[role])
    return made


def urls_of(name: str, entry: Entry, world):
    """(owner, url) of an entry and its variants."""
    builders = [(entry.kwargs, entry.query), *VARIANTS.get(name, [])]
    for owner in entry.owners:
        side = getattr(world, owner) if owner else None
        for build, query in builders:
            yield owner, side, reverse(name, kwargs=build(world, side)) + query


def check_entry(name: str, entry: Entry, world, clients, only=None) -> list[str]:
    problems = []
    for owner, side, url in urls_of(name, entry, world):
        for role in ROLES:
            if only and (owner, role) not in only:
                continue
            if not only and (owner, role) in entry.bugs:
                continue
            want = expected_for(entry.expect, owner, role)
            if entry.post_only:
                want_get = LOGIN if role == "anonymous" else NOT_ALLOWED
            else:
                want_get = want
            response = clients[role].get(url)
            body = drain(response)
            got = answer_of(response)
            if got != want_get:
                problems.append(f"GET {url} as {role}: expected {want_get}, got {got}")
            elif got == ALLOW and name in FILE_URLS | EXPORT_URLS:
                assert body, f"GET {url} as {role}: empty file"
            if entry.post_only and want != ALLOW:
                # Someone who may not act: an empty POST is refused and changes nothing.
                before = entry.state(world, side)
                got = answer_of(clients[role].post(url, {}))
                if got != (ALLOW if want == MESSAGE else want):
                    problems.append(f"POST {url} as {role}: expected {want}, got {got}")
                after = entry.state(world, side)
                if after != before:
                    problems.append(f"POST {url} as {role} changed the state: {before} -> {after}")
    return problems


# --- Tests ---------------------------------------------------------------------------------------


def test_every_url_pattern_has_an_entry():
    missing, keys = [], set()
    for key, route, source in walk():
        keys.add(key)
        if not is_skipped(route, source) and key not in MATRIX:
            missing.append(f"{key} ({route})")
    assert not missing, "URL patterns without an entry in the authorization matrix: " + ", ".join(
        missing
    )
    stale = set(MATRIX) - keys
    assert not stale, f"matrix entries for URL names that no longer exist: {sorted(stale)}"
    assert set(ADMIN_SAMPLES) <= keys


def test_post_only_entries_say_what_must_not_change():
    for name, entry in MATRIX.items():
        if entry.post_only:
            assert entry.state is not None, name


@pytest.mark.parametrize("name", list(MATRIX))
def test_authorization_matrix(name, world, clients):
    problems = check_entry(name, MATRIX[name], world, clients)
    assert not problems, "\n".join(problems)


BUG_CASES = [
    pytest.param(
        name,
        key,
        id=f"{name}[{key[0]}-{key[1]}]",
        marks=pytest.mark.xfail(strict=True, reason=f"BUG: {reason}"),
    )
    for name, entry in MATRIX.items()
    for key, reason in entry.bugs.items()
]


if BUG_CASES:  # no placeholder test, always skipped, when no bug is known

    @pytest.mark.parametrize(("name", "case"), BUG_CASES)
    def test_known_authorization_bugs(name, case, world, clients):
        """Each documented bug: the expected answer, which the portal does not give yet."""
        problems = check_entry(name, MATRIX[name], world, clients, only={case})
        assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", list(ADMIN_SAMPLES))
def test_admin_representative_urls(name, world, clients):
    url = reverse(name, kwargs=ADMIN_SAMPLES[name](world))
    expect = dict(ADMIN_EXPECT)
    if name == "admin:index":
        expect["manager_hdf"] = ALLOW  # the index itself is open to staff; models are not
    problems = []
    for role in ROLES:
        got = answer_of(clients[role].get(url))
        if got != expect[role]:
            problems.append(f"GET {url} as {role}: expected {ADMIN_EXPECT[role]}, got {got}")
    assert not problems, "\n".join(problems)


def test_files_pdfs_and_exports_are_in_the_matrix_and_closed_to_other_organisations():
    for name in sorted(FILE_URLS):
        entry = MATRIX[name]
        assert entry.owners == BOTH, name
        for owner in BOTH:
            for role, relative in OWNER_ROLES[owner].items():
                if relative.startswith("other_"):
                    assert expected_for(entry.expect, owner, role) in (FORBIDDEN, NOT_FOUND), (
                        name,
                        owner,
                        role,
                    )
        assert expected_for(entry.expect, "a", "anonymous") == LOGIN
    for name in EXPORT_URLS:
        assert expected_for(MATRIX[name].expect, None, "member_a") == FORBIDDEN


def test_exports_of_region_staff_never_list_the_other_regions_dossiers(world, clients):
    a, b = world.a.dossier, world.b.dossier
    for url in (
        reverse("instruction:export") + "?format=csv&tab=all",
        reverse("instruction:queue") + "?tab=all",
    ):
        text = drain(clients["agent_hdf"].get(url)).decode("utf-8", "replace")
        assert b.number not in text and b.organisation.siret not in text, url
        text = drain(clients["agent_pdl"].get(url)).decode("utf-8", "replace")
        assert a.number not in text and a.organisation.siret not in text, url
    for url in (
        reverse("payments:finance_queue"),
        reverse("payments:batches"),
        reverse("payments:recoveries"),
    ):
        text = drain(clients["finance_hdf"].get(url)).decode()
        assert b.number not in text, url
    csv_text = drain(clients["finance_hdf"].get(reverse("payments:dashboard_csv"))).decode()
    assert "Pays de la Loire" not in csv_text and "PDL-IN" not in csv_text


SIMULATE_BODY = {
    "scheme": "INAC",
    "filed_on": "2022-05-10",
    "applicant": {"kind": "company", "legal_form": "SARL", "naf": "47.71Z", "department": "59"},
    "project": {"expenses": [{"category": "crm", "amount": "2400"}]},
}
SETTLE_BODY = {
    "scheme": "PDL-IN",
    "filed_on": "2023-05-02",
    "award": "15000",
    "planned_base": "30000",
    "actual_base": "20000",
    "advance_paid": "4500",
}


@pytest.mark.parametrize(
    ("name", "body"), [("api_simulate", SIMULATE_BODY), ("api_settle", SETTLE_BODY)]
)
def test_api_answers_alike_to_everyone_and_reveals_no_dossier(name, body, world, clients):
    url = reverse(name)
    answers = {}
    for role in ROLES:
        response = clients[role].post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 200, (role, response.content[:300])
        answers[role] = response.json()
    first = answers["anonymous"]
    assert all(answer == first for answer in answers.values())
    text = json.dumps(first)
    for side in (world.a, world.b):
        assert side.dossier.number not in text and side.organisation.siret not in text
        assert side.organisation.name not in text


# A dossier (or batch, organisation) of one side with a sub-object id of the other side: the
# person entitled to the first must not reach the second through it.
CROSSED = [
    ("applications:attachment_download", "member", "pk", "dossier", "attachment_id", "attachment"),
    ("applications:official_document", "member", "pk", "dossier", "document_id", "award"),
    (
        "applications:attachment_delete",
        "member",
        "pk",
        "draft",
        "attachment_id",
        "draft_attachment",
    ),
    ("instruction:attachment", "agent", "pk", "dossier", "attachment_id", "attachment"),
    (
        "instruction:attachment_preview",
        "agent",
        "pk",
        "dossier",
        "attachment_id",
        "attachment",
    ),
    ("instruction:document", "agent", "pk", "dossier", "document_id", "award"),
    (
        "instruction_applicant:message_attachment",
        "member",
        "pk",
        "dossier",
        "message_id",
        "message",
    ),
    ("payments:invoice_file", "member", "pk", "dossier", "invoice_id", "invoice"),
    ("payments:invoice_file", "agent", "pk", "dossier", "invoice_id", "invoice"),
    ("payments:request_certify", "agent", "pk", "dossier", "request_id", "balance"),
    ("payments:provider_change_decide", "agent", "pk", "dossier", "change_id", "change"),
    ("payments:batch_remove", "finance", "pk", "batch", "payment_pk", "payment"),
    (
        "organisations:invitation_delete",
        "member",
        "pk",
        "organisation",
        "invitation_id",
        "invitation",
    ),
]
ACTOR = {"member": "member_a", "agent": "agent_hdf", "finance": "finance_hdf"}


@pytest.mark.parametrize(
    ("name", "actor", "outer", "outer_attr", "inner", "inner_attr"),
    CROSSED,
    ids=[f"{c[0]}-{c[1]}" for c in CROSSED],
)
def test_crossed_ids_never_reach_the_other_sides_objects(
    name, actor, outer, outer_attr, inner, inner_attr, world, clients
):
    """A's container with B's sub-object id, as the person entitled to A's container: 404."""
    entry = MATRIX[name]
    kwargs = entry.kwargs(world, world.a)
    kwargs[outer] = getattr(world.a, outer_attr).pk
    kwargs[inner] = getattr(world.b, inner_attr).pk
    url = reverse(name, kwargs=kwargs)
    client = clients[ACTOR[actor]]
    if entry.post_only:
        before = entry.state(world, world.b)
        assert answer_of(client.post(url, {})) == NOT_FOUND, url
        assert entry.state(world, world.b) == before
    else:
        assert answer_of(client.get(url)) == NOT_FOUND, url


@pytest.mark.parametrize("kind", ["devis", "rib"])
def test_payment_file_of_the_other_sides_request_is_not_found(kind, world, clients):
    url = reverse(
        "payments:payment_file",
        kwargs={"pk": world.a.dossier.pk, "kind": kind, "obj_id": world.b.advance.pk},
    )
    for role in ("member_a", "agent_hdf", "admin"):
        assert answer_of(clients[role].get(url)) == NOT_FOUND, role
