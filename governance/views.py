"""/gestion/: scheme managers govern their schemes' rules (issue 18). Thin views: reads in
selectors and golden/impact/diff helpers, writes in services; scope through permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from governance import exchange, permissions, services
from governance.diff import version_diff
from governance.forms import (
    ExpectationForm,
    GoldenCaseForm,
    ImportForm,
    VersionEditorForm,
    WithdrawForm,
)
from governance.golden import run_cases
from governance.models import ImpactRun
from instruction.budget import committed_amount
from schemes.core.model import InputError
from schemes.enums import RuleStatus
from schemes.models import GoldenCase


def _manager(request):
    if not permissions.managed_schemes(request.user).exists():
        raise PermissionDenied("Cette page est réservée aux gestionnaires de dispositifs.")


@login_required
@require_GET
def home(request):
    _manager(request)
    schemes = permissions.managed_schemes(request.user).prefetch_related("rule_versions")
    today = timezone.localdate()
    rows = []
    for scheme in schemes:
        versions = list(scheme.rule_versions.all())
        rows.append(
            {
                "scheme": scheme,
                "in_force": services.version_in_force(scheme, today),
                "waiting": sum(v.status == RuleStatus.SUBMITTED for v in versions),
                "drafts": sum(v.status == RuleStatus.DRAFT for v in versions),
            }
        )
    return render(request, "governance/home.html", {"rows": rows})


@login_required
@require_GET
def scheme_page(request, code: str):
    scheme = permissions.get_scheme_for_manager(request.user, code)
    today = timezone.localdate()
    in_force = services.version_in_force(scheme, today)
    versions = list(scheme.rule_versions.select_related("created_by").order_by("-valid_from"))
    timeline = [
        {
            "version": v,
            "state": "En vigueur" if in_force and v.pk == in_force.pk else v.state_on(today),
        }
        for v in versions
    ]
    envelopes = [
        {"envelope": e, "committed": committed_amount(scheme=scheme, year=e.year)}
        for e in scheme.envelopes.all()
    ]
    return render(
        request,
        "governance/scheme.html",
        {
            "scheme": scheme,
            "region": scheme.region,
            "periods": scheme.call_periods.all(),
            "timeline": timeline,
            "envelopes": envelopes,
            "cases": scheme.golden_cases.all(),
            "in_force": in_force,
        },
    )


@login_required
@require_POST
def draft_new(request, code: str):
    scheme = permissions.get_scheme_for_manager(request.user, code)
    try:
        draft = services.draft_create(user=request.user, scheme=scheme, today=timezone.localdate())
    except services.GovernanceError as exc:
        messages.error(request, exc.message)
        return redirect("governance:scheme", scheme.code)
    messages.success(request, "Brouillon créé : une copie de la version en vigueur.")
    return redirect("governance:edit", scheme.code, draft.pk)


def _base(version):
    return version.based_on.as_core() if version.based_on else None


@login_required
def version_edit(request, code: str, pk: int):
    scheme = permissions.get_scheme_for_manager(request.user, code)
    version = permissions.get_version_for_manager(request.user, scheme, pk)
    allowed, why = permissions.can_edit(request.user, version)
    if not allowed:
        messages.error(request, why)
        return redirect("governance:preview", scheme.code, version.pk)
    if request.method == "POST":
        form = VersionEditorForm(request.POST, version=version, base=_base(version))
        if "add_row" not in request.POST and form.is_valid():
            try:
                services.draft_save(
                    user=request.user,
                    version=version,
                    label=form.cleaned_data["label"],
                    valid_from=form.cleaned_data["valid_from"],
                    valid_to=form.cleaned_data["valid_to"],
                    is_demo=form.cleaned_data["is_demo"],
                    parameters=form.parameters,
                    reasons=form.reasons,
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, "Brouillon enregistré.")
                return redirect("governance:preview", scheme.code, version.pk)
    else:
        form = VersionEditorForm(version=version, base=_base(version))
    return render(
        request,
        "governance/edit.html",
        {"scheme": scheme, "region": scheme.region, "version": version, "form": form},
    )


@login_required
@require_GET
def version_preview(request, code: str, pk: int):
    scheme = permissions.get_scheme_for_manager(request.user, code)
    version = permissions.get_version_for_manager(request.user, scheme, pk)
    today = timezone.localdate()
    base = version.based_on
    runs = run_cases(version)
    user = request.user
    context = {
        "scheme": scheme,
        "region": scheme.region,
        "version": version,
        "base": base,
        "diff": version_diff(_base(version), version.as_core(), version.change_reasons or {}),
        "runs": runs,
        "failing": [r for r in runs if not r.passed],
        "impact": version.impact_runs.first(),
        "can_edit": permissions.can_edit(user, version)[0],
        "can_submit": permissions.can_submit(user, version)[0],
        "publish": permissions.can_publish(user, version),
        "can_withdraw": permissions.can_withdraw(user, version, today)[0],
        "withdraw_form": WithdrawForm(),
        "transitions": version.transitions.select_related("actor"),
        "state": version.state_on(today),
        "fingerprint": services.version_fingerprint(version),
    }
    return render(request, "governance/preview.html", context)


def _act(request, code, pk, action):
    scheme = permissions.get_scheme_for_manager(request.user, code)
    version = permissions.get_version_for_manager(request.user, scheme, pk)
    try:
        action(version)
    except (services.GovernanceError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    return redirect("governance:preview", scheme.code, version.pk)


@login_required
@require_POST
def version_submit(request, code: str, pk: int):
    def act(version):
        services.version_submit(user=request.user, version=version)
        messages.success(
            request,
            "Version soumise : un autre gestionnaire de la région doit maintenant la publier.",
        )

    return _act(request, code, pk, act)


@login_required
@require_POST
def version_reopen(request, code: str, pk: int):
    def act(version):
        services.version_reopen(user=request.user, version=version)
        messages.success(request, "La version est revenue en brouillon.")

    return _act(request, code, pk, act)


@login_required
@require_POST
def version_publish(request, code: str, pk: int):
    def act(version):
        services.version_publish(
            user=request.user, version=version, seen=request.POST.get("seen", "")
        )
        messages.success(
            request,
            "Version publiée : elle s'appliquera aux dossiers déposés à partir de sa date d'entrée en vigueur.",
        )

    return _act(request, code, pk, act)


@login_required
@require_POST
def version_withdraw(request, code: str, pk: int):
    form = WithdrawForm(request.POST)

    def act(version):
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.version_withdraw(
            user=request.user, version=version, today=timezone.localdate(), reason=reason
        )
        messages.success(request, "Version retirée avant son entrée en vigueur.")

    return _act(request, code, pk, act)


@login_required
@require_POST
def golden_expect(request, code: str, pk: int):
    scheme = permissions.get_scheme_for_manager(request.user, code)
    version = permissions.get_version_for_manager(request.user, scheme, pk)
    form = ExpectationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la raison du changement du résultat attendu.")
        return redirect("governance:preview", scheme.code, version.pk)
    case = get_object_or_404(GoldenCase, pk=form.cleaned_data["case"], scheme=scheme)
    run = next((r for r in run_cases(version) if r.case.pk == case.pk), None)
    try:
        services.golden_amend(
            user=request.user,
            version=version,
            case=case,
            expected=run.actual if run else case.expected,
            reason=form.cleaned_data["reason"],
        )
    except (services.GovernanceError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.success(request, f"Résultat attendu mis à jour : {case.name}.")
    return redirect(
        reverse("governance:preview", args=[scheme.code, version.pk]) + "#cas-de-reference"
    )


@login_required
@require_POST
def impact_start(request, code: str, pk: int):
    scheme = permissions.get_scheme_for_manager(request.user, code)
    version = permissions.get_version_for_manager(request.user, scheme, pk)
    services.impact_request(user=request.user, version=version, today=timezone.localdate())
    messages.success(request, "Simulation de l'impact lancée.")
    return redirect(reverse("governance:preview", args=[scheme.code, version.pk]) + "#impact")


@login_required
@require_GET
def impact_status(request, code: str, pk: int, run: int):
    scheme = permissions.get_scheme_for_manager(request.user, code)
    version = permissions.get_version_for_manager(request.user, scheme, pk)
    impact = get_object_or_404(ImpactRun, pk=run, version=version)
    return JsonResponse(
        {
            "status": impact.status,
            "done": impact.done,
            "total": impact.total,
            "percent": impact.percent,
        }
    )


@login_required
@require_GET
def version_export(request, code: str, pk: int, fmt: str):
    scheme = permissions.get_scheme_for_manager(request.user, code)
    version = permissions.get_version_for_manager(request.user, scheme, pk)
    if fmt == "json":
        body, mime = exchange.export_json(version), "application/json"
    elif fmt == "yaml":
        body, mime = exchange.export_yaml(version), "application/yaml"
    else:
        raise Http404("Format inconnu.")
    response = HttpResponse(body, content_type=f"{mime}; charset=utf-8")
    name = version.ident.replace("/", "_")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def version_import(request, code: str):
    scheme = permissions.get_scheme_for_manager(request.user, code)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            rules, demo = exchange.read_document(
                form.cleaned_data["document"].read(exchange.MAX_BYTES + 1), scheme_code=scheme.code
            )
        except InputError as exc:
            where = f" (paramètre « {exc.field} »)" if exc.field else ""
            form.add_error("document", exc.message + where)
        else:
            draft = services.version_import(
                user=request.user,
                scheme=scheme,
                rules=rules,
                is_demo=demo,
                today=timezone.localdate(),
            )
            messages.success(
                request, "Version importée comme brouillon : vérifiez-la puis soumettez-la."
            )
            return redirect("governance:preview", scheme.code, draft.pk)
    return render(
        request, "governance/import.html", {"scheme": scheme, "region": scheme.region, "form": form}
    )


@login_required
def case_edit(request, code: str, case: int | None = None):
    scheme = permissions.get_scheme_for_manager(request.user, code)
    instance = get_object_or_404(GoldenCase, pk=case, scheme=scheme) if case else None
    if request.method == "POST":
        form = GoldenCaseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            expected = {}
            if data["eligible"] is not None:
                expected["eligible"] = data["eligible"]
            if data["amount"] is not None:
                settle = "award" in data["situation"] and "applicant" not in data["situation"]
                expected["final_award" if settle else "award"] = f"{data['amount']:.2f}"
            try:
                services.golden_case_save(
                    user=request.user,
                    scheme=scheme,
                    case=instance,
                    data={**data, "expected": expected},
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Cas de référence enregistré.")
                return redirect("governance:scheme", scheme.code)
    else:
        import json

        initial = {}
        if instance:
            expected = instance.expected
            amount = expected.get("award", expected.get("final_award"))
            initial = {
                "name": instance.name,
                "document": instance.document,
                "passage": instance.passage,
                "situation": json.dumps(instance.situation, ensure_ascii=False, indent=2),
                "eligible": {True: "true", False: "false"}.get(expected.get("eligible"), ""),
                "amount": amount,
            }
        form = GoldenCaseForm(initial=initial)
    return render(
        request,
        "governance/case.html",
        {"scheme": scheme, "region": scheme.region, "form": form, "case": instance},
    )
