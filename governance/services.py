"""Writes of rule governance: drafts, four-eyes publishing, golden cases, impact runs."""

import hashlib
import json
import secrets
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from governance import permissions
from governance.golden import run_cases
from governance.models import ImpactRun
from outbox.services import enqueue
from schemes import core
from schemes.core.schema import validate_version
from schemes.enums import RULE_TRANSITIONS, RuleStatus
from schemes.models import GoldenCase, GoldenCaseAmendment, RuleVersion, RuleVersionTransitionLog

TRANSITIONS = {name: (sources, target, label) for name, sources, target, label in RULE_TRANSITIONS}


class GovernanceError(Exception):
    """A refused step; `message` is French, shown to the manager."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _require(allowed_and_why: tuple[bool, str]) -> None:
    allowed, why = allowed_and_why
    if not allowed:
        raise PermissionDenied(why)


def version_in_force(scheme, day: date) -> RuleVersion | None:
    """The published version applicable to a dossier filed on `day` (latest start wins)."""
    candidates = [
        v
        for v in scheme.rule_versions.filter(status=RuleStatus.PUBLISHED)
        if v.valid_from <= day and (v.valid_to is None or day <= v.valid_to)
    ]
    return max(candidates, key=lambda v: v.valid_from) if candidates else None


def draft_create(*, user, scheme, today: date, base: RuleVersion | None = None) -> RuleVersion:
    """A new draft: a copy of the version in force (its parameters and their citations).

    Never a demo: « démonstration » is an explicit choice of the editor."""
    base = base or version_in_force(scheme, today)
    if base is None:
        base = (
            scheme.rule_versions.filter(status=RuleStatus.PUBLISHED).order_by("valid_from").last()
        )
    if base is None:
        raise GovernanceError("Ce dispositif n'a aucune version publiée à copier.")
    start = date(today.year + 1, 1, 1)
    draft = RuleVersion(
        scheme=scheme,
        ident=f"{scheme.code}/brouillon-{secrets.token_hex(4)}",
        label=f"{scheme.name}, dossiers déposés à partir du {start:%d/%m/%Y}",
        valid_from=start,
        valid_to=None,
        parameters=base.parameters,
        is_demo=False,
        status=RuleStatus.DRAFT,
        based_on=base,
        created_by=user,
    )
    draft.save()
    audit_record(actor=user, action="rule_version_draft", obj=draft, data={"based_on": base.ident})
    return draft


def draft_save(
    *,
    user,
    version: RuleVersion,
    label: str,
    valid_from: date,
    valid_to: date | None,
    is_demo: bool,
    parameters: dict,
    reasons: dict,
) -> RuleVersion:
    """Store the editor's values on a draft (already validated by the editor's form)."""
    _require(permissions.can_edit(user, version))
    with transaction.atomic():
        locked = RuleVersion.objects.select_for_update().get(pk=version.pk)
        _require(permissions.can_edit(user, locked))
        locked.label = label
        locked.valid_from = valid_from
        locked.valid_to = valid_to
        locked.is_demo = is_demo
        locked.parameters = parameters
        locked.change_reasons = reasons
        errors = validate_version(locked.as_core())
        if errors:
            raise ValidationError([e.message for e in errors])
        locked._change_reason = "Brouillon enregistré"
        locked.save()
        audit_record(
            actor=user,
            action="rule_version_draft_saved",
            obj=locked,
            data={"changed": sorted(reasons), "is_demo": is_demo},
        )
    return locked


def _transition(*, version: RuleVersion, name: str, actor, comment: str = "", fields=None):
    sources, target, _label = TRANSITIONS[name]
    with transaction.atomic():
        locked = RuleVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status not in sources:
            raise GovernanceError(
                f"Action impossible : la version est à l'état « {locked.get_status_display()} »."
            )
        before = locked.status
        for key, value in (fields or {}).items():
            setattr(locked, key, value)
        locked.status = target
        locked._change_reason = TRANSITIONS[name][2]
        locked.save()
        RuleVersionTransitionLog.objects.create(
            version=locked,
            transition=name,
            from_state=before,
            to_state=target,
            actor=actor,
            comment=comment,
        )
        audit_record(
            actor=actor,
            action=f"rule_version_{name}",
            obj=locked,
            from_state=before,
            to_state=target,
            comment=comment,
        )
        if name in ("submit", "publish", "withdraw"):
            from governance import tasks

            event = {"submit": "submitted", "publish": "published", "withdraw": "withdrawn"}[name]
            enqueue(
                tasks.notify_rule_version,
                version_id=locked.pk,
                event=event,
                actor_id=getattr(actor, "pk", None),
            )
    return locked


def failing_cases(version: RuleVersion) -> list:
    return [run for run in run_cases(version) if not run.passed]


def _final_ident(version: RuleVersion) -> str:
    ident = f"{version.scheme.code}/{version.valid_from.isoformat()}"
    taken = RuleVersion.objects.exclude(pk=version.pk).filter(ident__startswith=ident)
    if not taken.filter(ident=ident).exists():
        return ident
    n = 2
    while taken.filter(ident=f"{ident}-{n}").exists():
        n += 1
    return f"{ident}-{n}"


def version_submit(*, user, version: RuleVersion) -> RuleVersion:
    """The author hands the draft to a colleague for publication (golden cases must pass)."""
    _require(permissions.can_submit(user, version))
    errors = validate_version(version.as_core())
    if errors:
        raise GovernanceError("La version contient des erreurs : " + errors[0].message)
    failing = failing_cases(version)
    if failing:
        raise GovernanceError(
            f"{len(failing)} cas de référence échoue(nt) avec ce brouillon : mettez à jour leur "
            "résultat attendu, avec une raison, ou corrigez le brouillon."
        )
    with transaction.atomic():
        locked = RuleVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status == RuleStatus.DRAFT:
            locked.ident = _final_ident(locked)
            locked.save()
        return _transition(
            version=locked, name="submit", actor=user, fields={"submitted_at": timezone.now()}
        )


def version_reopen(*, user, version: RuleVersion) -> RuleVersion:
    if version.created_by_id != user.pk:
        raise PermissionDenied("Seul l'auteur peut reprendre son brouillon.")
    return _transition(version=version, name="reopen", actor=user)


def version_fingerprint(version: RuleVersion) -> str:
    """What the reviewer reads on the preview (rules, dates, submission): publishing compares it."""
    seen = {
        "parameters": version.parameters,
        "label": version.label,
        "valid_from": str(version.valid_from),
        "valid_to": str(version.valid_to),
        "submitted_at": str(version.submitted_at),
    }
    return hashlib.sha256(json.dumps(seen, sort_keys=True, default=str).encode()).hexdigest()


def version_publish(*, user, version: RuleVersion, seen: str | None = None) -> RuleVersion:
    """Four eyes: another manager of the region (or an administrator) publishes. With `seen`
    (the fingerprint the preview showed), a version changed since then is refused."""
    _require(permissions.can_publish(user, version))
    failing = failing_cases(version)
    if failing:
        raise GovernanceError(
            "Publication refusée : un cas de référence échoue avec cette version ("
            + failing[0].case.name
            + ")."
        )
    with transaction.atomic():
        locked = RuleVersion.objects.select_for_update().get(pk=version.pk)
        if seen is not None and seen != version_fingerprint(locked):
            raise GovernanceError(
                "Publication refusée : la version a changé depuis votre lecture. "
                "Relisez-la avant de la publier."
            )
        published = _transition(
            version=version,
            name="publish",
            actor=user,
            fields={"published_by": user, "published_at": timezone.now()},
        )
        # The updated expectations become the cases' own.
        for amendment in published.amendments.select_related("case"):
            case = amendment.case
            case.expected = amendment.expected
            case._change_reason = f"Publication de {published.ident} : {amendment.reason}"[:100]
            case.save()
    return published


def version_withdraw(*, user, version: RuleVersion, today: date, reason: str) -> RuleVersion:
    _require(permissions.can_withdraw(user, version, today))
    if not permissions.managed_schemes(user).filter(pk=version.scheme_id).exists():
        raise PermissionDenied("Cette version n'appartient pas à votre périmètre.")
    if not reason.strip():
        raise GovernanceError("Indiquez la raison du retrait.")
    return _transition(version=version, name="withdraw", actor=user, comment=reason.strip())


def golden_amend(
    *, user, version: RuleVersion, case: GoldenCase, expected: dict, reason: str
) -> GoldenCaseAmendment:
    """Record a new expectation of `case` for this draft, with the manager's reason."""
    _require(permissions.can_edit(user, version))
    if case.scheme_id != version.scheme_id:
        raise PermissionDenied("Ce cas n'appartient pas à ce dispositif.")
    if not reason.strip():
        raise GovernanceError("Indiquez la raison du changement du résultat attendu.")
    previous = version.amendments.filter(case=case).order_by("at", "id").last()
    amendment = GoldenCaseAmendment.objects.create(
        case=case,
        version=version,
        before=previous.expected if previous else case.expected,
        expected=expected,
        reason=reason.strip(),
        author=user,
    )
    audit_record(
        actor=user,
        action="golden_case_amended",
        obj=case,
        comment=reason.strip(),
        data={"version": version.ident, "before": amendment.before, "after": expected},
    )
    return amendment


def golden_case_save(*, user, scheme, case: GoldenCase | None, data: dict) -> GoldenCase:
    """Create or change a golden case; its situation must be readable by the engine."""
    if not permissions.managed_schemes(user).filter(pk=scheme.pk).exists():
        raise PermissionDenied("Ce dispositif n'appartient pas à votre périmètre.")
    situation = data["situation"]
    situation["scheme"] = scheme.code
    try:
        probe = GoldenCase(scheme=scheme, situation=situation, expected={})
        (core.settle if probe.is_settle else core.simulate)(situation)
    except core.InputError as exc:
        raise ValidationError({"situation": exc.message}) from exc
    reason = (data.get("reason") or "").strip()
    before = case.expected if case else None
    changed = case is not None and before != data["expected"]
    if changed and not reason:
        raise ValidationError({"reason": "Indiquez la raison du changement du résultat attendu."})
    with transaction.atomic():
        if changed and (
            RuleVersion.objects.select_for_update()
            .filter(scheme=scheme, status=RuleStatus.SUBMITTED)
            .exists()
        ):
            raise ValidationError(
                "Résultat attendu non modifié : une version du dispositif est soumise et "
                "sa relecture porte sur ce cas. Mettez-le à jour dans un brouillon, avec une "
                "raison, ou attendez sa publication."
            )
        case = case or GoldenCase(scheme=scheme)
        for key in ("name", "document", "passage", "expected"):
            setattr(case, key, data[key])
        case.situation = situation
        case.full_clean()
        if changed:
            case._change_reason = reason[:100]
        case.save()
        audit_data = {"name": case.name}
        if changed:
            audit_data.update(before=before, after=case.expected)
        audit_record(
            actor=user,
            action="golden_case_saved",
            obj=case,
            comment=reason if changed else "",
            data=audit_data,
        )
    return case


def impact_request(*, user, version: RuleVersion, today: date) -> ImpactRun:
    """Queue a re-simulation of the draft's impact (a double click queues one run only)."""
    with transaction.atomic():
        RuleVersion.objects.select_for_update().filter(pk=version.pk).first()
        running = version.impact_runs.filter(
            status__in=[ImpactRun.Status.PENDING, ImpactRun.Status.RUNNING]
        ).first()
        if running:
            return running
        run = ImpactRun.objects.create(version=version, requested_by=user, on_day=today)
        from governance import tasks

        enqueue(tasks.run_impact, run_id=run.pk)
        audit_record(actor=user, action="rule_version_impact", obj=version, data={"run": run.pk})
    return run


def version_import(*, user, scheme, rules: core.RuleVersion, is_demo: bool, today: date):
    """A draft from an imported document (already validated): the author then previews,
    updates golden cases and submits it like any draft."""
    if not permissions.managed_schemes(user).filter(pk=scheme.pk).exists():
        raise PermissionDenied("Ce dispositif n'appartient pas à votre périmètre.")
    draft = RuleVersion(
        scheme=scheme,
        ident=f"{scheme.code}/brouillon-{secrets.token_hex(4)}",
        label=rules.label,
        valid_from=rules.valid_from,
        valid_to=rules.valid_to,
        parameters={name: param.to_json() for name, param in rules.parameters.items()},
        is_demo=is_demo,
        status=RuleStatus.DRAFT,
        based_on=version_in_force(scheme, today),
        created_by=user,
    )
    draft.save()
    audit_record(actor=user, action="rule_version_imported", obj=draft, data={"ident": rules.ident})
    return draft
