from itertools import zip_longest

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.params import ids_or_400, parse_int
from applications.attachments import document_choices
from applications.enums import DossierState as S
from applications.receipt import demo_rules
from applications.workflow import TRANSITIONS, TransitionError
from common.files import private_file_response
from instruction import answers, forms, review, services, shaping
from instruction.actions import AGENT_TRANSITIONS, agent_actions, run_agent_transition
from instruction.enums import RetentionStatus
from instruction.selectors import get_dossier_for_agent
from schemes import core

# The forms that save a list of lines at once, and where each action brings the agent back.
LIST_FORMS = {"checks", "retentions"}
ANCHORS = {
    "checks": "#t-criteres",
    "check": "#t-criteres",
    "retentions": "#t-depenses",
    "retain": "#t-depenses",
    "region_share": "#t-depenses",
    "note": "#t-notes",
    "message": "#t-echanges",
    "labels": "#t-etiquettes",
}


def _agent_required(user) -> None:
    if not (user.has_role(Role.AGENT) or user.has_role(Role.ADMIN)):
        raise PermissionDenied("Réservé aux instructeurs.")


def _attachments(dossier) -> list:
    """The applicant's files, each with the name of the document it was filed as."""
    labels = dict(document_choices(dossier))
    attachments = list(dossier.attachments.all())
    for attachment in attachments:
        attachment.document_label = labels.get(attachment.document_code, "Autre pièce")
    return attachments


def _check_forms(checks, data=None, errors=None) -> dict:
    """One form per criterion (prefix check-<id>), showing the stored opinion or what was posted."""
    result = {}
    for check in checks:
        form = forms.CheckLineForm(
            data,
            prefix=f"check-{check.pk}",
            initial={"status": check.status, "comment": check.comment},
        )
        if data is not None and (errors or {}).get(check.code):
            form.is_valid()
            form.add_error("comment", errors[check.code])
        result[check.pk] = form
    return result


def _line_forms(expense_lines, data=None, errors=None) -> dict:
    """One form per expense line (prefix line-<id>), showing the stored retention or what was posted."""
    result = {}
    for line in expense_lines:
        retention = getattr(line, "retention", None)
        initial = (
            {
                "status": retention.status,
                "amount": retention.amount if retention.status == RetentionStatus.PARTIAL else None,
                "reason": retention.reason,
            }
            if retention
            else {"status": ""}
        )
        form = forms.RetentionLineForm(data, prefix=f"line-{line.pk}", initial=initial)
        if data is not None and (errors or {}).get(line.pk):
            form.is_valid()
            form.add_error("status", errors[line.pk])
        result[line.pk] = form
    return result


def _posted_decisions(post, prefix: str, form_class, ids) -> tuple[dict, dict]:
    """Each posted line form's cleaned data by id, and the field errors by id."""
    decisions, errors = {}, {}
    for key in ids:
        form = form_class(post, prefix=f"{prefix}-{key}")
        if f"{prefix}-{key}-status" not in post:
            continue  # not on the page the agent saw: left as it is
        if form.is_valid():
            decisions[key] = form.cleaned_data
        else:
            errors[key] = " ".join(e for errs in form.errors.values() for e in errs)
    return decisions, errors


def _as_list_post(kept: dict) -> dict:
    """A one-line post (« check », « retain ») read as the list form's post, for redisplay."""
    data = kept.get("data")
    if kept.get("action") == "retain" and data is not None:
        key = f"line-{data.get('line', '')}"
        fields = ("status", "amount", "reason")
        return {
            **kept,
            "action": "retentions",
            "data": {f"{key}-{f}": data.get(f, "") for f in fields},
        }
    return kept


def review_context(dossier, **extra) -> dict:
    try:
        estimate = review.review_estimate(dossier)
    except core.InputError as exc:  # data the rules cannot read: shown, never a server error
        estimate = {"unavailable": exc.message, "checks": []}
    checks = review.sync_checks(dossier, estimate)
    kept = _as_list_post(extra.get("posted") or extra.get("conflict") or {})
    check_data = kept.get("data") if kept.get("action") == "checks" else None
    line_data = kept.get("data") if kept.get("action") == "retentions" else None
    check_forms = _check_forms(checks, check_data, kept.get("errors"))
    for check in checks:
        check.form = check_forms[check.pk]
    lines = [
        {"line": line, "engine": est, "retention": getattr(line, "retention", None)}
        for line, est in zip_longest(
            dossier.expenses.all(), (dossier.result or {}).get("lines", [])
        )
        if line is not None
    ]
    line_forms = _line_forms([row["line"] for row in lines], line_data, kept.get("errors"))
    for row in lines:
        row["form"] = line_forms[row["line"].pk]
    return {
        "dossier": dossier,
        "answers": answers.answer_rows(dossier),
        "report": answers.report_rows(dossier),
        "region": dossier.scheme.region,
        "demo_rules": demo_rules(dossier),
        "review": services.review_shown(dossier),
        "estimate": estimate,
        "checks": checks,
        "lines": lines,
        "notes": dossier.notes.select_related("author"),
        "thread": dossier.messages.select_related("author"),
        "complements": dossier.complement_requests.all(),
        "timeline": [
            {
                "event": e,
                "label": TRANSITIONS[e.transition].label
                if e.transition in TRANSITIONS
                else e.transition,
            }
            for e in dossier.transitions.select_related("actor")
        ],
        "documents": dossier.documents.all(),
        "attachments": _attachments(dossier),
        "S": S,
        "today": timezone.localdate(),
        "schedule_form": forms.ScheduleForm(region=dossier.scheme.region),
        "voted_in_commission": dossier.scheme.code in services.commission_schemes(),
        "actions": agent_actions(dossier),
        "region_share_applies": review.region_share_applies(dossier),
        "label_panel": shaping.label_panel(dossier),
        **extra,
    }


@login_required
def dossier_review(request, pk: int):
    _agent_required(request.user)
    dossier = get_dossier_for_agent(request.user, pk)
    return render(request, "instruction/review.html", review_context(dossier))


# The review page's success message of each agent transition (instruction.actions).
ACTION_MESSAGES = {
    "take": "Vous instruisez ce dossier.",
    "request_complements": "La demande de compléments est envoyée au demandeur.",
    "declare_admissible": (
        "Le dossier est déclaré complet : l'accusé de réception est en cours de génération."
    ),
    "propose": "La proposition est enregistrée.",
    "accept": "L'aide est attribuée : la décision est en cours de génération.",
    "reject": "Le refus est enregistré : la lettre est en cours de génération.",
    "abandon": "Le dossier est classé sans suite.",
    "reopen": "L'instruction est rouverte.",
    "withdraw_proposal": "La proposition est retirée.",
    "schedule": "Le dossier est inscrit à l'ordre du jour.",
}
# The action URLs once used these short names: kept for pages loaded before the change.
LEGACY_ACTION_SLUGS = {
    "complements": "request_complements",
    "admissible": "declare_admissible",
    "withdraw": "withdraw_proposal",
}


def _run(request, dossier, action: str):
    """Parse the posted form of `action` and call its service; returns a French success message."""
    user, post = request.user, request.POST
    version = parse_int(post.get("version", ""))

    def valid(form):
        if not form.is_valid():
            raise ValidationError([str(e) for errors in form.errors.values() for e in errors])
        return form.cleaned_data

    name = LEGACY_ACTION_SLUGS.get(action, action)
    if name in AGENT_TRANSITIONS:
        if name == "request_complements":
            fields = valid(forms.ComplementsForm(post))
        elif name == "declare_admissible":
            fields = valid(forms.AdmissibleForm(post))
        elif name == "propose":
            data = valid(forms.ProposeForm(post))
            fields = {"favourable": data["favourable"], "motivation": data["comment"]}
        elif name in ("reject", "abandon", "reopen", "withdraw_proposal"):
            fields = valid(forms.MotivationForm(post))
        elif name == "schedule":
            fields = valid(forms.ScheduleForm(post, region=dossier.scheme.region))
        else:
            fields = {}
        run_agent_transition(user=user, dossier=dossier, name=name, **fields)
        return ACTION_MESSAGES[name]
    if action == "check":
        data = valid(forms.CheckForm(post))
        review.check_record(
            user=user,
            dossier=dossier,
            code=data["code"],
            status=data["status"],
            comment=data["comment"],
            version=version,
        )
        return "Le critère est mis à jour."
    if action == "checks":
        checks = {c.pk: c for c in dossier.criterion_checks.all()}
        data, errors = _posted_decisions(post, "check", forms.CheckLineForm, checks)
        if errors:
            raise ValidationError({checks[k].code: v for k, v in errors.items()})
        changed = review.checks_record(
            user=user,
            dossier=dossier,
            decisions={checks[k].code: (d["status"], d["comment"]) for k, d in data.items()},
            version=version,
        )
        if not changed:
            return "Aucun changement : les avis sur les critères sont déjà enregistrés."
        return f"Avis enregistrés sur {len(changed)} critère(s)."
    if action == "retentions":
        line_ids = list(dossier.expenses.values_list("pk", flat=True))
        data, errors = _posted_decisions(post, "line", forms.RetentionLineForm, line_ids)
        if errors:
            raise ValidationError(errors)
        changed = review.retentions_record(
            user=user,
            dossier=dossier,
            decisions={k: (d["status"], d["amount"], d["reason"]) for k, d in data.items()},
            version=version,
        )
        if not changed:
            return "Aucun changement : les dépenses retenues sont déjà enregistrées."
        return f"{changed} dépense(s) mise(s) à jour ; l'aide est recalculée."
    if action == "retain":
        data = valid(forms.RetentionForm(post))
        line = get_object_or_404(dossier.expenses, pk=data["line"])
        review.expense_retain(
            user=user,
            dossier=dossier,
            line=line,
            status=data["status"],
            amount=data["amount"],
            reason=data["reason"],
            version=version,
        )
        return "La dépense est mise à jour ; l'aide est recalculée."
    if action == "region_share":
        data = valid(forms.RegionShareForm(post))
        share = data["share"] / 100 if data["share"] is not None else None
        review.region_share_set(user=user, dossier=dossier, share=share, version=version)
        return "La part d'activité dans la région est mise à jour ; l'aide est recalculée."
    if action == "note":
        review.note_add(user=user, dossier=dossier, body=valid(forms.TextForm(post))["body"])
        return "La note est ajoutée."
    if action == "message":
        data = valid(forms.MessageForm(post, request.FILES))
        sent = review.message_post(
            user=user,
            dossier=dossier,
            body=data["body"],
            uploaded_file=data["attachment"],
            from_region=True,
        )
        if getattr(sent, "already_sent", False):
            return "Ce message est déjà envoyé au demandeur : il n'est pas renvoyé."
        return "Le message est envoyé au demandeur."
    if action == "labels":
        chosen = set(ids_or_400(post.getlist("labels")))
        region_labels = shaping.QueueLabel.objects.filter(region_id=dossier.scheme.region_id)
        changed = shaping.dossier_labels_set(
            user=user, dossier=dossier, labels=[lb for lb in region_labels if lb.pk in chosen]
        )
        return "Les étiquettes du dossier sont mises à jour." if changed else "Aucun changement."
    raise Http404("Action inconnue.")


@login_required
@require_POST
def dossier_action(request, pk: int, action: str):
    _agent_required(request.user)
    dossier = get_dossier_for_agent(request.user, pk)
    try:
        message = _run(request, dossier, action)
    except services.ConflictError as exc:
        fresh = get_dossier_for_agent(request.user, pk)
        context = review_context(
            fresh, conflict={"action": action, "data": request.POST, "message": exc.message}
        )
        return render(request, "instruction/review.html", context, status=409)
    except ValidationError as exc:
        if action in LIST_FORMS and hasattr(exc, "error_dict"):
            # Nothing typed is lost: the page comes back with what was posted, each line's error.
            errors = {key: " ".join(v) for key, v in exc.message_dict.items()}
            if action == "retentions":
                errors = {int(k): v for k, v in errors.items() if str(k).isdigit()}
            context = review_context(
                get_dossier_for_agent(request.user, pk),
                posted={"action": action, "data": request.POST, "errors": errors},
                form_errors=list(errors.values()),
            )
            return render(request, "instruction/review.html", context, status=400)
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    except (TransitionError, PermissionDenied) as exc:
        text = getattr(exc, "message", None) if isinstance(exc, TransitionError) else str(exc)
        messages.error(request, text or str(exc))
    else:
        messages.success(request, message)
    return redirect(reverse("instruction:dossier", args=[pk]) + ANCHORS.get(action, ""))


@login_required
def attachment_open(request, pk: int, attachment_id: int):
    """An agent opens an applicant's document, unless its antivirus scan is not clean."""
    _agent_required(request.user)
    dossier = get_dossier_for_agent(request.user, pk)
    attachment = get_object_or_404(dossier.attachments, pk=attachment_id)
    if not attachment.can_be_opened:  # scan pending, failed or infected: never served
        context = {"dossier": dossier, "attachment": attachment, "back_to_review": True}
        return render(request, "applications/attachment_unavailable.html", context, status=403)
    return private_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.mime_type
    )
