"""Batch operations from the queue's selection, run as one Celery job with a result per dossier.

Each dossier goes through the very service of the single action (`dossier_propose`,
`dossier_accept`, `dossier_reject`, `complements_request`, `message_post`, `dossier_label`):
the same permission and conflict-of-interest checks, the same transition (row lock and
compare-and-set), the same log and audit rows. A dossier whose state does not allow the action
(read from the transition table) is skipped and said so; a refusal of the service is recorded
with its French message; the others go on. Acts (award decision, refusal letter) are generated
in the same job, right after their dossier's transition: the item records the act's reference.
"""

import logging
import secrets
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from applications.enums import DossierState as S
from applications.models import Dossier, DossierDocument
from applications.workflow import TRANSITIONS, TransitionError
from audit.services import audit_record
from instruction import review, services, shaping
from instruction.models import Review
from instruction.models_batch import BatchAction, BatchItem, BatchJob, ItemOutcome, JobStatus
from instruction.selectors import dossiers_for_agent, expenses_with_retention
from outbox.services import enqueue

logger = logging.getLogger(__name__)

BATCH_MAX = 1000  # dossiers per job
STATE_LABELS = dict(S.choices)

# The transition each action runs: the states that allow it come from the transition table.
TRANSITION_OF = {
    BatchAction.PROPOSE: "propose",
    BatchAction.ACCEPT: "accept",
    BatchAction.REJECT: "reject",
    BatchAction.COMPLEMENTS: "request_complements",
}
# Messages and labels: any dossier of the queue (every state but the draft).
ANY_QUEUE_STATE = tuple(state for state in S.values if state != S.DRAFT)
ACT_OF = {
    BatchAction.ACCEPT: DossierDocument.Kind.AWARD,
    BatchAction.REJECT: DossierDocument.Kind.REJECTION,
}


def allowed_states(action: str) -> tuple[str, ...]:
    name = TRANSITION_OF.get(action)
    return TRANSITIONS[name].sources if name else ANY_QUEUE_STATE


def state_refusal(action: str, state: str) -> str:
    """Why a dossier in `state` is left out of the action ('' when it is not)."""
    if state in allowed_states(action):
        return ""
    return f"Action impossible : le dossier est à l'état « {STATE_LABELS.get(state, state)} »."


def new_token() -> str:
    return secrets.token_urlsafe(24)


# --- Parameters -------------------------------------------------------------------------------


def clean_params(*, user, action: str, data) -> dict:
    """The action's parameters from a form's data, or ValidationError (French, per field)."""
    errors = {}
    params: dict = {}
    if action not in BatchAction.values:
        raise ValidationError({"action": "Choisissez une opération."})
    if action == BatchAction.PROPOSE:
        if data.get("favourable") not in ("1", "0"):
            errors["favourable"] = "Choisissez un avis favorable ou défavorable."
        params["favourable"] = data.get("favourable") == "1"
        params["comment"] = (data.get("comment") or "").strip()
        if not params["comment"]:
            errors["comment"] = "Motivez la proposition."
    elif action == BatchAction.REJECT:
        params["motivation"] = (data.get("motivation") or "").strip()
        if not params["motivation"]:
            errors["motivation"] = (
                "La motivation du refus est obligatoire : elle figure dans chaque lettre."
            )
    elif action == BatchAction.COMPLEMENTS:
        params["items"] = (data.get("items") or "").strip()
        if not params["items"]:
            errors["items"] = "Listez les éléments attendus des demandeurs."
        try:
            due_on = date.fromisoformat(data.get("due_on") or "")
        except ValueError:
            errors["due_on"] = "Indiquez la date limite de réponse (jj/mm/aaaa)."
        else:
            if due_on <= timezone.localdate():
                errors["due_on"] = "La date limite de réponse doit être dans le futur."
            params["due_on"] = due_on.isoformat()
    elif action == BatchAction.MESSAGE:
        params["body"] = (data.get("body") or "").strip()
        if not params["body"]:
            errors["body"] = "Écrivez le message."
    elif action == BatchAction.LABEL:
        from accounts.params import parse_id

        label = shaping.labels_for(user).filter(pk=parse_id(data.get("label") or "")).first()
        if label is None:
            errors["label"] = "Choisissez une étiquette."
        else:
            params["label"] = label.pk
        params["on"] = data.get("remove") != "1"
    if errors:
        raise ValidationError(errors)
    return params


# --- Preview ----------------------------------------------------------------------------------


def selection(*, user, ids: list[int]):
    """The selected dossiers the agent may see, in the order of their numbers."""
    return (
        dossiers_for_agent(user)
        .filter(pk__in=ids)
        .exclude(state=S.DRAFT)
        .select_related("scheme__region", "organisation__department", "review")
        .order_by("number")
    )


def batch_preview(*, user, action: str, ids: list[int]) -> list[dict]:
    """Each selected dossier, whether its state allows the action, and for a proposal the award
    the engine computes from what the agent retained (the amount the proposal will carry)."""
    dossiers = selection(user=user, ids=ids)
    if action == BatchAction.PROPOSE:
        dossiers = dossiers.prefetch_related(expenses_with_retention(), "de_minimis_aids")
    rows = []
    for dossier in dossiers:
        why = state_refusal(action, dossier.state)
        row = {
            "dossier": dossier,
            "state_label": STATE_LABELS.get(dossier.state, dossier.state),
            "possible": not why,
            "why": why,
            "award": None,
        }
        if action == BatchAction.PROPOSE and not why:
            row["award"] = _engine_award(dossier)
        elif action == BatchAction.ACCEPT and not why:
            row["award"] = getattr(getattr(dossier, "review", None), "proposed_award", None)
        rows.append(row)
    return rows


def _engine_award(dossier: Dossier) -> Decimal | None:
    from schemes import core

    try:
        return Decimal(review.review_estimate(dossier)["award"])
    except core.InputError:
        return None


# --- Creation and run -------------------------------------------------------------------------


def batch_create(*, user, action: str, ids: list[int], params: dict, token: str) -> BatchJob:
    """Record the job and its dossiers, then queue its run; the same form twice: one job."""
    existing = BatchJob.objects.filter(token=token, created_by=user).first()
    if existing is not None:
        return existing
    if not (user.has_role("agent") or user.has_role("admin")):
        raise PermissionDenied("Réservé aux instructeurs.")
    if len(set(ids)) > BATCH_MAX:
        raise ValidationError(f"Un lot compte au plus {BATCH_MAX} dossiers : affinez la sélection.")
    dossier_ids = list(selection(user=user, ids=ids).values_list("pk", flat=True))
    if not dossier_ids:
        raise ValidationError("Aucun des dossiers cochés n'est dans votre périmètre.")
    from instruction.tasks import run_batch

    with transaction.atomic():
        try:
            with transaction.atomic():
                job = BatchJob.objects.create(
                    action=action,
                    params=params,
                    token=token,
                    created_by=user,
                    total=len(dossier_ids),
                )
        except IntegrityError:  # the same form, posted twice at once
            existing = BatchJob.objects.get(token=token)
            if existing.created_by_id != user.pk:
                raise ValidationError(
                    "Ce formulaire a expiré : rechargez la page et relancez l'action."
                ) from None
            return existing
        BatchItem.objects.bulk_create(
            BatchItem(job=job, dossier_id=pk, position=i) for i, pk in enumerate(dossier_ids)
        )
        audit_record(
            actor=user,
            action="batch_create",
            obj=job,
            data={"action": action, "dossiers": len(dossier_ids)},
        )
        enqueue(run_batch, job_id=job.pk)
    return job


def batch_run(*, job_id: int) -> int:
    """Run the job's pending items in order; returns how many were processed now.

    Safe to run again (a worker lost mid-way, the task redelivered): each item is claimed while
    still pending, so done items are not redone and two runs never process the same item."""
    claimed = BatchJob.objects.filter(pk=job_id).exclude(status=JobStatus.DONE)
    if not claimed.update(status=JobStatus.RUNNING, started_at=timezone.now()):
        return 0
    job = BatchJob.objects.select_related("created_by").get(pk=job_id)
    count = 0
    try:
        pending = job.items.filter(outcome=ItemOutcome.PENDING).order_by("position")
        for item in pending.iterator(chunk_size=200):
            if _run_item(job, item):
                BatchJob.objects.filter(pk=job.pk).update(processed=F("processed") + 1)
                count += 1
    finally:
        BatchJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=timezone.now())
    return count


UNEXPECTED = "Erreur inattendue : l’opération n’a pas été faite sur ce dossier."
ACT_FAILED = "L’acte n’a pas pu être généré : générez-le depuis la page du dossier."


def _run_item(job: BatchJob, item: BatchItem) -> bool:
    """Process one item if it is still pending (claimed by compare-and-set); False otherwise."""
    if not BatchItem.objects.filter(
        pk=item.pk, outcome=ItemOutcome.PENDING, processed_at__isnull=True
    ).update(processed_at=timezone.now()):
        return False  # another run of the job has it
    user, action, params = job.created_by, job.action, job.params
    dossier = (
        Dossier.objects.select_related("scheme__region", "organisation__department")
        .filter(pk=item.dossier_id)
        .first()
    )
    outcome, message, award, reference = ItemOutcome.DONE, "", None, ""
    why = state_refusal(action, dossier.state) if dossier else "Dossier introuvable."
    if why:
        outcome, message = ItemOutcome.SKIPPED, why
    else:
        try:
            award, message = _apply(user, action, params, dossier)
        except services.ConflictError as exc:
            outcome, message = ItemOutcome.FAILED, exc.message
        except TransitionError as exc:
            outcome, message = ItemOutcome.FAILED, exc.message
        except ValidationError as exc:
            outcome, message = ItemOutcome.FAILED, " ".join(exc.messages)
        except PermissionDenied as exc:
            outcome, message = ItemOutcome.FAILED, str(exc) or "Action non autorisée."
        except Exception:
            logger.exception("Batch job %s: dossier %s failed", job.pk, item.dossier_id)
            outcome, message = ItemOutcome.FAILED, UNEXPECTED
        else:
            try:  # the transition is committed: a failed act leaves the item done, with a note
                reference = _act(dossier, action)
            except Exception:
                logger.exception("Batch job %s: act of dossier %s failed", job.pk, dossier.pk)
                message = f"{message} {ACT_FAILED}".strip()
    BatchItem.objects.filter(pk=item.pk).update(
        outcome=outcome,
        message=message[:500],
        award=award,
        act_reference=reference,
        processed_at=timezone.now(),
    )
    return True


def _apply(user, action: str, params: dict, dossier: Dossier) -> tuple[Decimal | None, str]:
    """The single action's service for one dossier; the award it carries and a French note."""
    if action == BatchAction.PROPOSE:
        dossier = (
            Dossier.objects.select_related("scheme__region", "organisation__department", "review")
            .prefetch_related(expenses_with_retention(), "de_minimis_aids")
            .get(pk=dossier.pk)
        )
        # The service computes the award with the rules engine, as the single proposal does.
        services.dossier_propose(
            user=user, dossier=dossier, favourable=params["favourable"], comment=params["comment"]
        )
        award = Review.objects.filter(dossier=dossier).values_list("proposed_award", flat=True)
        return award.first(), "Proposition enregistrée."
    if action == BatchAction.ACCEPT:
        dossier = services.dossier_accept(user=user, dossier=dossier)
        return dossier.awarded_amount, "Aide attribuée."
    if action == BatchAction.REJECT:
        services.dossier_reject(user=user, dossier=dossier, motivation=params["motivation"])
        return None, "Refus enregistré."
    if action == BatchAction.COMPLEMENTS:
        services.complements_request(
            user=user,
            dossier=dossier,
            items=params["items"],
            due_on=date.fromisoformat(params["due_on"]),
        )
        return None, "Demande de compléments envoyée."
    if action == BatchAction.MESSAGE:
        review.message_post(user=user, dossier=dossier, body=params["body"], from_region=True)
        return None, "Message envoyé."
    if action == BatchAction.LABEL:
        label = shaping.labels_for(user).get(pk=params["label"])
        changed = shaping.dossier_label(user=user, dossier=dossier, label=label, on=params["on"])
        if not changed:
            return None, "Déjà fait : rien n'a changé."
        return None, "Étiquette posée." if params["on"] else "Étiquette retirée."
    raise ValidationError("Opération inconnue.")


def _act(dossier: Dossier, action: str) -> str:
    """Generate the act of a decision in the job itself (idempotent); its reference."""
    kind = ACT_OF.get(action)
    if kind is None:
        return ""
    from instruction.documents import ensure_document

    fresh = Dossier.objects.select_related("scheme__region", "organisation", "rule_version").get(
        pk=dossier.pk
    )
    return ensure_document(fresh, kind).reference


def job_for_user(user, pk: int) -> BatchJob:
    """The job if the user launched it (or is an administrator); 404 otherwise."""
    from django.http import Http404

    jobs = BatchJob.objects.all() if user.has_role("admin") else user.batch_jobs.all()
    job = jobs.filter(pk=pk).first()
    if job is None:
        raise Http404("Traitement introuvable.")
    return job


def job_summary(job: BatchJob) -> dict:
    counts = job.items.aggregate(
        **{outcome: Count("pk", filter=Q(outcome=outcome)) for outcome in ItemOutcome.values}
    )
    percent = round(100 * job.processed / job.total) if job.total else 100
    return {"counts": counts, "percent": percent}
