"""Official documents of the instruction: acknowledgment, award decision, rejection letter.

Each is rendered once from the region's HTML template, stored with the dossier under a reference
number and never regenerated silently: `ensure_document` returns the current one when it exists.
After a reopening, the lead's services mark the old document superseded; the next one gets a
suffixed reference (`ARR-<number>-2`).
"""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from applications.models import Dossier, DossierDocument
from applications.receipt import demo_rules
from documents import issuing
from documents.formats import NBSP, NOT_SET, PARIS, PORTAL_NAME, fr_date, fr_datetime
from documents.formats import decimal_or_none as _decimal
from documents.issuing import DocumentNotApplicable, issue_once
from documents.pdf import render_pdf
from documents.signing import Signatory
from instruction.enums import RetentionStatus, Vote
from instruction.models import AgendaItem, Review
from schemes import core
from schemes.core import procedure
from schemes.core.params_common import regime_at
from schemes.selectors import rule_versions
from schemes.templatetags.aides import euros, percent
from territories.models import Region

Kind = DossierDocument.Kind
KINDS = (Kind.ACKNOWLEDGMENT, Kind.AWARD, Kind.REJECTION)
NO_DEADLINE = "aucun délai fixé par les textes du dispositif"


__all__ = ["DocumentNotApplicable", "NOT_SET", "fr_date"]  # imported from here by other apps


FILE_SLUGS = {
    Kind.ACKNOWLEDGMENT: "accuse-reception",
    Kind.AWARD: "decision-attribution",
    Kind.REJECTION: "lettre-refus",
}


def _region(dossier: Dossier) -> Region:
    """The region whose acts these are: its colour, prefix, court and signatory are its fields."""
    return dossier.scheme.region


def rules_for(dossier: Dossier) -> core.RuleVersion | None:
    """The rules frozen at submission; else the version covering the filing date (or the last)."""
    if dossier.rule_version is not None:
        return dossier.rule_version.as_core()
    versions = rule_versions(scheme_code=dossier.scheme.code)
    day = dossier.filed_on or timezone.localdate()
    covering = [version for version in versions if version.covers(day)]
    return (covering or versions or [None])[-1]


def expense_start_date(dossier: Dossier) -> date | None:
    """From when the dossier's expenses count (None while not known yet)."""
    rules = rules_for(dossier)
    if rules is not None and procedure.expenses_from_acknowledgment(rules):
        # PDL-IN FAQ, questions 15 and 25: the dated acknowledgment of a complete dossier states
        # « à partir de quelle date les dépenses sont autorisées »; the portal uses its date.
        return dossier.acknowledged_on
    fixed = rules.value("expenses_from") if rules else None
    if fixed:
        # IDF-CN2, « TYPES DE DEPENSES » : « Les dépenses (engagées à partir du 12/03/2020)
        # portent sur une durée maximale d'un an » (param expenses_from).
        return fixed
    # HDF deliberation 2021.01652 (INAC and INESS): « Ne pourront être éligibles que les
    # dépenses réalisées a posteriori de la date de création du dossier de demande d'aide ».
    if dossier.filed_on:
        return dossier.filed_on
    return timezone.localtime(dossier.submitted_at, PARIS).date() if dossier.submitted_at else None


def reference_base(dossier: Dossier, kind: str) -> str:
    """AR-, ARR-/DEL- (award, per region), REF- followed by the dossier number."""
    if kind == Kind.ACKNOWLEDGMENT:
        prefix = "AR"
    elif kind == Kind.AWARD:
        prefix = _region(dossier).award_prefix
    elif kind == Kind.REJECTION:
        prefix = "REF"
    else:
        raise ValueError(f"Not an instruction document: {kind}")
    return f"{prefix}-{dossier.number}"


def document_reference(dossier: Dossier, kind: str) -> str:
    """The reference the next document of `kind` gets: suffixed -2, -3 after supersession."""
    version = issuing.next_version(DossierDocument, kind=kind, dossier=dossier)
    return issuing.versioned_reference(reference_base(dossier, kind), version)


def _filename(kind: str, reference: str) -> str:
    return f"{FILE_SLUGS.get(kind, kind)}-{reference}.pdf"


def document_filename(document: DossierDocument) -> str:
    return _filename(document.kind, document.reference)


def _review(dossier: Dossier) -> Review | None:
    return Review.objects.filter(dossier=dossier).first()


def _agenda_item(dossier: Dossier, vote: str) -> AgendaItem | None:
    return (
        AgendaItem.objects.filter(dossier=dossier, vote=vote)
        .select_related("session")
        .order_by("-session__date", "-id")
        .first()
    )


def _expense_rows(dossier: Dossier) -> tuple[list[dict], Decimal | None, Decimal]:
    """Each line presented/retained/reason; the retained base (None without any retention)."""
    frozen = (dossier.result or {}).get("lines") or []
    rows, base, presented, any_retention = [], Decimal("0"), Decimal("0"), False
    for index, line in enumerate(dossier.expenses.select_related("retention")):
        retention = getattr(line, "retention", None)
        snapshot = frozen[index] if index < len(frozen) else {}
        if retention is not None:
            any_retention = True
            retained, reason = retention.amount, retention.reason
            full = retention.status == RetentionStatus.FULL and retained == line.amount
        else:
            retained, reason = _decimal(snapshot.get("retained")), snapshot.get("note", "")
            full = retained == line.amount
        base += retained or Decimal("0")
        presented += line.amount
        rows.append(
            {
                "number": index + 1,
                "category": line.get_category_display(),
                "description": line.description,
                "amount": line.amount,
                "retained": retained,
                "reason": "" if full else (reason or "—"),
            }
        )
    return rows, (base if any_retention else None), presented


def _payment_terms(rules: core.RuleVersion | None, amount: Decimal) -> list[str]:
    """Sentences of the payment terms, from the rule version's advance_* and payment_terms."""
    if rules is None:
        return []
    rate = rules.value("advance_rate") or Decimal("0")
    threshold = rules.value("advance_threshold")
    if rate > 0 and (threshold is None or amount > threshold):
        advance = (amount * rate).quantize(Decimal("0.01"))
        return [
            f"Une avance de {percent(rate)} de la subvention, soit {euros(advance)}, est versée "
            "sur présentation d'un devis ou bon de commande signé, daté et revêtu du cachet du "
            "bénéficiaire.",
            "Le solde est versé sur présentation d'un état récapitulatif des dépenses, d'une "
            "attestation de fin d'engagement des dépenses et des factures acquittées.",
            "L'aide est proratisée si les dépenses réalisées n'atteignent pas l'assiette retenue.",
        ]
    if rate > 0:
        return [
            f"L'aide, d'un montant inférieur ou égal à {euros(threshold, 0)}, est versée en une "
            "seule fois sur présentation d'un état récapitulatif des dépenses, d'une attestation "
            "de fin d'engagement des dépenses et des factures acquittées.",
            "L'aide est proratisée si les dépenses réalisées n'atteignent pas l'assiette retenue.",
        ]
    return [str(rules.value("payment_terms") or "")]


def _de_minimis(rules: core.RuleVersion | None, day: date) -> dict | None:
    """The de minimis regulation in force on the decision date, when the scheme relies on it."""
    if rules is None or not rules.value("de_minimis"):
        return None
    regime = regime_at(rules.value("de_minimis_regimes") or [], day)
    if regime is None:
        return None
    regulation = regime["regulation"]
    adopted = {"1407/2013": "du 18 décembre 2013", "2023/2831": "du 13 décembre 2023"}
    return {
        "regulation": regulation[0].lower() + regulation[1:],
        "adopted": next((text for key, text in adopted.items() if key in regulation), ""),
    }


def _rate_context(rules: core.RuleVersion | None, base: Decimal | None) -> dict:
    tiers = (rules.value("tiers") if rules else None) or []
    if tiers:
        reached = [t for t in tiers if base is not None and base >= t["from"]]
        return {
            "rate_text": "chèque forfaitaire selon le barème",
            "tiers": tiers,
            "tier_reached": reached[-1] if reached else None,
        }
    rate = rules.value("rate") if rules else None
    return {"rate_text": percent(rate) if rate is not None else "—", "tiers": []}


def _signatory(region) -> dict:
    """Who signs the region's acts by delegation (set in the region's settings)."""
    return {
        "delegation": region.signatory_delegation,
        "name": region.signatory_name,
        "title": region.signatory_title,
    }


def signatory(region) -> Signatory:
    """The signatory of the region's acts, for their electronic signature (documents.signing)."""
    return Signatory(
        region_code=region.code,
        region_name=region.name,
        delegation=region.signatory_delegation,
        name=region.signatory_name,
        title=region.signatory_title,
    )


def _deadlines(dossier: Dossier, review: Review | None, day: date) -> dict:
    """The award's deadlines: those recorded at the decision, else computed from the scheme's
    texts for a decision on `day` (instruction.deadlines); a scheme whose texts set none says so."""
    from instruction.deadlines import realisation_deadlines
    from instruction.services import project_start

    end = review.realisation_deadline if review else None
    proofs = review.proofs_deadline if review else None
    if end is None and proofs is None:
        end, proofs = realisation_deadlines(
            dossier.scheme.code,
            decided_on=day,
            expense_start=project_start(dossier, decided_on=day),
        )
    return {
        "realisation_deadline": fr_date(end, NO_DEADLINE),
        "proofs_deadline": fr_date(proofs, NO_DEADLINE),
    }


def document_context(dossier: Dossier, kind: str, *, generated_at=None) -> dict:
    """Everything the region's template of `kind` shows; raises DocumentNotApplicable."""
    region = _region(dossier)
    rules = rules_for(dossier)
    review = _review(dossier)
    organisation = dossier.organisation
    context = {
        "kind": kind,
        "dossier": dossier,
        "portal_name": PORTAL_NAME,
        "region_name": region.name,
        "region_code": region.code,
        "accent": region.accent,
        "tribunal": region.court,
        "scheme": dossier.scheme,
        "organisation": organisation,
        "city_line": " ".join(p for p in (organisation.postal_code, organisation.city) if p),
        "filed_on": fr_date(dossier.filed_on, "—"),
        "basis": dossier.expense_basis,
        "expense_start": fr_date(expense_start_date(dossier)),
        "expense_period_months": rules.value("expense_period_months") if rules else None,
        "generated_at": fr_datetime(generated_at or timezone.now()),
        "nbsp": NBSP,
        "demo_rules": demo_rules(dossier),
        "signatory": _signatory(region),
    }
    decided = (
        timezone.localtime(review.decided_at, PARIS).date()
        if review and review.decided_at
        else None
    )
    if kind == Kind.ACKNOWLEDGMENT:
        if dossier.acknowledged_on is None:
            raise DocumentNotApplicable(f"Dossier {dossier.pk} has not been acknowledged.")
        context["date"] = fr_date(dossier.acknowledged_on)
        return context
    if kind == Kind.AWARD:
        if dossier.awarded_amount is None:
            raise DocumentNotApplicable(f"Dossier {dossier.pk} has no awarded amount.")
        voted = rules is not None and procedure.goes_to_commission(rules)
        item = _agenda_item(dossier, Vote.FOR) if voted else None
        if voted and item is None:
            raise DocumentNotApplicable(f"Dossier {dossier.pk}: no favourable vote recorded.")
        day = item.session.date if item else (decided or timezone.localdate())
        rows, base, presented = _expense_rows(dossier)
        if base is None:
            base = _decimal((dossier.result or {}).get("base"))
        context.update(
            {
                "date": fr_date(day),
                "amount": dossier.awarded_amount,
                "base": base,
                "presented": presented,
                "lines": rows,
                "payment_terms": _payment_terms(rules, dossier.awarded_amount),
                **_deadlines(dossier, review, day),
                "de_minimis": _de_minimis(rules, day),
                "agenda_item": item,
                "session_date": fr_date(item.session.date) if item else "",
                **_rate_context(rules, base),
            }
        )
        return context
    if kind == Kind.REJECTION:
        motivation = (review.decision_motivation if review else "").strip()
        if not motivation:
            raise DocumentNotApplicable(f"Dossier {dossier.pk}: no motivation for the rejection.")
        voted = rules is not None and procedure.goes_to_commission(rules)
        item = _agenda_item(dossier, Vote.AGAINST) if voted else None
        day = item.session.date if item else (decided or timezone.localdate())
        context.update(
            {
                "date": fr_date(day),
                "motivation": motivation,
                "agenda_item": item,
                "session_date": fr_date(item.session.date) if item else "",
            }
        )
        return context
    raise ValueError(f"Not an instruction document: {kind}")


def render_document_pdf(dossier: Dossier, kind: str, *, reference: str | None = None) -> bytes:
    """Render a document to PDF bytes (no storage, no database writes)."""
    context = document_context(dossier, kind)
    context["reference"] = reference or document_reference(dossier, kind)
    # The region's own wording when it has one; else the common text, with the region's fields.
    template = [
        f"instruction/pdf/{context['region_code']}/{kind}.html",
        f"instruction/pdf/{kind}_base.html",
    ]
    return render_pdf(template, context, sign_as=signatory(dossier.scheme.region))


def current_document(dossier: Dossier, kind: str) -> DossierDocument | None:
    return issuing.current_document(DossierDocument, kind=kind, dossier=dossier)


def ensure_document(dossier: Dossier, kind: str) -> DossierDocument:
    """The current document of `kind`: the stored one if any, else rendered, stored and returned
    once (documents.issuing: concurrency-safe, versioned, SHA-256 recorded)."""
    if kind not in KINDS:
        raise ValueError(f"Not an instruction document: {kind}")
    return issue_once(
        model=DossierDocument,
        owner={"dossier": dossier},
        kind=kind,
        reference_base=reference_base(dossier, kind),
        render=lambda reference: render_document_pdf(dossier, kind, reference=reference),
        filename=lambda reference: _filename(kind, reference),
    )
