from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from schemes import core
from schemes.audience import audience_of
from schemes.core.documents import when_label
from schemes.engine import simulate
from schemes.forms import ExpenseFormSet, SimulatorForm
from schemes.formsets import with_one_more_form
from schemes.models import Scheme
from schemes.selectors import get_scheme, is_demo_rules, version_to_show
from schemes.simulator import exclusive_choice, simulator_results
from schemes.templatetags.aides import SOURCES_DIR, source_document_exists

SOURCE_TITLES = {
    "hdf-deliberation-2021-01652-annexe.txt": "Hauts-de-France — annexe à la délibération n° 2021.01652",
    "hdf-inac-fiche.md": "Hauts-de-France — fiche du dispositif INAC",
    "hdf-iness-fiche.md": "Hauts-de-France — fiche du dispositif INESS",
    "pdl-investissement-numerique-faq.md": "Pays de la Loire — Investissement numérique, foire aux questions",
    "idf-cheque-numerique-volet2.md": "Île-de-France — chèque numérique volet 2",
}


def document_condition(code: str | None) -> str:
    """When a document is asked, in French: "si le demandeur est une entreprise"."""
    if not code:
        return ""
    label = when_label(code)
    return label if code == "payment" else f"si {label}"


def simulator(request):
    """Public simulator: eligibility and estimated aid for every scheme of the region."""
    today = timezone.localdate()
    results = None
    if request.method == "POST":
        data = request.POST
        if "add_line" in data:
            data = with_one_more_form(data, "expenses")
        form = SimulatorForm(data)
        formset = ExpenseFormSet(data, prefix="expenses")
        if form.is_valid() and formset.is_valid():
            expenses = [
                f.expense()
                for f in formset.forms
                if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            project = {
                "expense_basis": form.cleaned_data["expense_basis"],
                "other_public_funding": str(form.cleaned_data["other_public_funding"] or 0),
                "expenses": expenses,
            }
            results = simulator_results(
                applicant=form.applicant(),
                project=project,
                filed_on=form.cleaned_data["filed_on"],
                region_id=form.cleaned_data["department"].region_id,
            )
    else:
        form = SimulatorForm(initial={"filed_on": today})
        formset = ExpenseFormSet(prefix="expenses")
    context = {
        "form": form,
        "formset": formset,
        "results": results,
        "choice": exclusive_choice(results) if results else None,
    }
    if request.headers.get("X-Requested-With") == "fetch":
        return render(request, "schemes/_simulator_results.html", context)
    return render(request, "schemes/simulator.html", context)


def scheme_list(request):
    schemes = Scheme.objects.select_related("region").prefetch_related("call_periods")
    today = timezone.localdate()
    rows = [
        {
            "scheme": s,
            "open": any(p.is_open_on(today) for p in s.call_periods.all()),
            "audience": audience_of(s),
        }
        for s in schemes
    ]
    return render(request, "schemes/list.html", {"rows": rows})


def scheme_detail(request, code: str):
    scheme = get_scheme(code)
    today = timezone.localdate()
    periods = list(scheme.call_periods.all())
    version = version_to_show(scheme_code=scheme.code, day=today)
    info = core.SCHEMES[scheme.code]
    example = None
    if scheme.worked_example and version is not None:
        situation = {
            "scheme": scheme.code,
            "filed_on": version.valid_from.isoformat(),
            **scheme.worked_example,
        }
        situation["applicant"] = {"department": info.departments[0], **situation["applicant"]}
        example = {"situation": situation, "result": simulate(situation)}
    context = {
        "scheme": scheme,
        "region": scheme.region,
        "info": info,
        "audience": audience_of(scheme),
        "version": version,
        "demo_version": version is not None and is_demo_rules(version.ident),
        "periods": periods,
        "open_periods": [p for p in periods if p.is_open_on(today)],
        "example": example,
        "categories": core.CATEGORIES,
        "sources": [(name, SOURCE_TITLES.get(name, name)) for name in info.documents],
        "documents": [
            {"label": d["label"], "when": document_condition(d.get("when"))}
            for d in (version.value("required_documents", []) if version else [])
        ],
        "ami": scheme.offers or None,
        **version_history(scheme, today),
    }
    return render(request, "schemes/detail.html", context)


def version_history(scheme: Scheme, today) -> dict:
    """The published versions of a scheme for its public page: the one in force today, the
    next scheduled one, and each version with what it changed and the citations it gives."""
    from schemes.core.schema import PARAMETERS, display_value
    from schemes.enums import RuleStatus

    rows = list(scheme.rule_versions.filter(status=RuleStatus.PUBLISHED).order_by("valid_from"))
    in_force = max(
        (r for r in rows if r.valid_from <= today and (r.valid_to is None or today <= r.valid_to)),
        key=lambda r: r.valid_from,
        default=None,
    )
    upcoming = [r for r in rows if r.valid_from > today]
    history = []
    previous = None
    for row in rows:
        rules = row.as_core()
        changes = []
        if previous is not None:
            for name, defn in PARAMETERS.items():
                old, new = previous.parameters.get(name), rules.parameters.get(name)
                if (
                    name == "validity"
                    or new is None
                    or (old is not None and old.value == new.value)
                ):
                    continue
                changes.append(
                    {
                        "label": defn.label,
                        "old": display_value(defn, old.value, scheme.code) if old else "—",
                        "new": display_value(defn, new.value, scheme.code),
                        "source": new.source,
                    }
                )
        history.append({"version": row, "changes": changes, "first": previous is None})
        previous = rules
    return {
        "in_force": in_force,
        "next_version": upcoming[0] if upcoming else None,
        "history": list(reversed(history)),
    }


def source_text(request, name: str):
    """A scheme's source text, served read-only so every citation can link to it."""
    if not source_document_exists(name):
        raise Http404("Texte introuvable.")
    text = (SOURCES_DIR / name).read_text(encoding="utf-8")
    if request.GET.get("brut") == "1":
        return HttpResponse(text, content_type="text/plain; charset=utf-8")
    return render(
        request,
        "schemes/source_text.html",
        {"title": SOURCE_TITLES.get(name, name), "name": name, "text": text},
    )
