"""Builds the rules engine's situation (contracts/simulate.md) from a dossier."""

from datetime import date

from applications.enums import DossierState
from applications.models import Dossier

# Answers to the eligibility questions that map one to one onto the engine's applicant fields.
APPLICANT_ANSWERS = [
    "legal_form",
    "naf",
    "created_on",
    "headcount",
    "turnover",
    "balance_sheet_total",
    "registered_rcs",
    "registered_rm",
    "esus",
    "siae",
    "aci",
    "digital_core",
    "in_difficulty",
    "tax_social_up_to_date",
    "market_activity_share",
    "micro_enterprise",
    "certified_accounts",
    "project_certified",
    "region_share",
]


# Terminal states as the engine names them; other states are pending unless an aid was awarded.
HISTORY_STATUS = {"rejected": "refused", "abandoned": "withdrawn"}


def _history(dossier: Dossier, others=None) -> list[dict]:
    """The organisation's earlier dossiers on this portal, as the engine's `history.applications`
    (`others`: the organisation's dossiers already read, for a batch)."""
    if others is None:
        others = (
            Dossier.objects.filter(organisation_id=dossier.organisation_id)
            .exclude(state=DossierState.DRAFT)
            .select_related("scheme")
        )
    history = []
    for other in others:
        if other.pk == dossier.pk:
            continue
        entry = {
            "scheme": other.scheme.code,
            "filed_on": (other.filed_on or other.created_at.date()).isoformat(),
            "status": HISTORY_STATUS.get(
                other.state, "awarded" if other.awarded_amount is not None else "pending"
            ),
        }
        if other.acknowledged_on:
            entry["acknowledged_on"] = other.acknowledged_on.isoformat()
        if other.awarded_amount is not None:
            entry["awarded"] = str(other.awarded_amount)
        history.append(entry)
    return history


def dossier_situation(dossier: Dossier, *, filed_on: date, others=None) -> dict:
    organisation = dossier.organisation
    answers = dossier.answers or {}
    applicant = {
        "kind": organisation.kind,
        "legal_form": answers.get("legal_form") or organisation.legal_form,
        "naf": answers.get("naf") or organisation.naf,
        "department": organisation.department.code if organisation.department_id else "",
    }
    if organisation.created_on:
        applicant["created_on"] = organisation.created_on.isoformat()
    if organisation.headcount is not None:
        applicant["headcount"] = organisation.headcount
    for key in APPLICANT_ANSWERS:
        if answers.get(key) not in (None, ""):
            applicant[key] = answers[key]
    if answers.get("holdings"):
        applicant["holdings"] = answers["holdings"]
    expenses = []
    for line in dossier.expenses.all():
        expense = {"category": line.category, "amount": str(line.amount), "mode": line.mode}
        if line.months:
            expense["months"] = line.months
        if line.device:
            expense["device"] = line.device
        if line.quote_date:
            expense["committed_on"] = line.quote_date.isoformat()
        expenses.append(expense)
    return {
        "scheme": dossier.scheme.code,
        "filed_on": filed_on.isoformat(),
        "applicant": applicant,
        "project": {
            "expense_basis": dossier.expense_basis,
            "expenses": expenses,
            "other_public_funding": str(dossier.other_public_funding),
        },
        "history": {
            "de_minimis": [
                {"granted_on": aid.granted_on.isoformat(), "amount": str(aid.amount)}
                for aid in dossier.de_minimis_aids.all()
            ],
            "applications": _history(dossier, others),
        },
    }


def dossier_situations(dossiers) -> list[tuple[Dossier, dict]]:
    """The situations of many dossiers at their filing dates, in a few queries (a batch of a
    queryset: expenses, de minimis aids and each organisation's other dossiers read at once)."""
    from collections import defaultdict

    from django.db.models import Prefetch

    from applications.models import DeMinimisAid, ExpenseLine

    rows = list(
        dossiers.select_related("organisation__department", "scheme").prefetch_related(
            Prefetch(
                "expenses",
                queryset=ExpenseLine.objects.only(
                    "dossier_id", "category", "amount", "mode", "months", "device", "quote_date"
                ),
            ),
            Prefetch(
                "de_minimis_aids",
                queryset=DeMinimisAid.objects.only("dossier_id", "granted_on", "amount"),
            ),
        )
    )
    by_organisation = defaultdict(list)
    for other in (
        Dossier.objects.filter(organisation_id__in={d.organisation_id for d in rows})
        .exclude(state=DossierState.DRAFT)
        .select_related("scheme")
        .only(
            "id",
            "organisation_id",
            "scheme__code",
            "filed_on",
            "created_at",
            "state",
            "acknowledged_on",
            "awarded_amount",
        )
    ):
        by_organisation[other.organisation_id].append(other)
    return [
        (
            dossier,
            dossier_situation(
                dossier,
                filed_on=dossier.filed_on or dossier.created_at.date(),
                others=by_organisation[dossier.organisation_id],
            ),
        )
        for dossier in rows
    ]
