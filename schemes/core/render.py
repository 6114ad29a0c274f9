"""Render docs/rules.md: every version's parameters with their citations, every reason code,
the NAF exclusion table, fiche/deliberation disagreements and interpretations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .catalog import CATEGORIES, KINDS, REGION_NAMES, SCHEMES
from .checks import CHECKS, NOT_A_CRITERION
from .documents import when_label
from .fmt import fr_date
from .model import RuleVersion
from .naf import FAMILIES, NAF_TABLE
from .notes import DISAGREEMENTS, INTERPRETATIONS
from .reasons import REASONS
from .versions import default_versions


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _value(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal | int | str):
        return str(value) if value != "" else "—"
    if isinstance(value, date):
        return value.isoformat()
    if name == "required_documents":
        return "<br>".join(
            f"`{d['code']}` {d['label']}"
            + (f" (si {when_label(d['when'])})" if "when" in d else "")
            for d in value
        )
    if name == "tiers":
        return "<br>".join(f"≥ {t['from']} € → {t['award']} €" for t in value)
    if name == "de_minimis_regimes":
        return "<br>".join(
            f"{r['regulation']} : {r['ceiling']} € sur {r['years']} "
            + ("exercices" if r["window"] == "fiscal_years" else "ans glissants")
            + f" (du {r['valid_from'].isoformat()}"
            + (f" au {r['valid_to'].isoformat()})" if r["valid_to"] else ")")
            for r in value
        )
    if isinstance(value, dict):
        return ", ".join(f"{k} : {_value(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(f"`{x}`" for x in value) if value else "—"
    return str(value)


def _version(v: RuleVersion) -> list[str]:
    end = fr_date(v.valid_to) if v.valid_to else "sans date de fin"
    out = [
        f"### {v.ident}",
        "",
        f"{v.label}.",
        "",
        f"Dossiers déposés du {fr_date(v.valid_from)} au {end} (inclus).",
        "",
        "| Paramètre | Valeur | Source | Note |",
        "|---|---|---|---|",
    ]
    for name in sorted(v.parameters):
        p = v.parameters[name]
        out.append(
            f"| `{name}` | {_cell(_value(name, p.value))} | {_cell(p.source.cite())} | "
            f"{_cell(p.note)} |"
        )
    out.append("")
    return out


def render_rules_markdown() -> str:
    out = [
        "# Règles des dispositifs d'aide",
        "",
        "Document généré par `schemes.core.render_rules_markdown()` : ne pas le modifier à la "
        "main (un test vérifie qu'il est à jour). Les montants sont en euros ; les taux sont des "
        "fractions (0.40 = 40 %).",
        "",
        "## Dispositifs",
        "",
    ]
    for info in SCHEMES.values():
        out += [
            f"- **{info.code}** — {info.name} ({REGION_NAMES[info.region]}). {info.description} "
            f"Demandeurs : {', '.join(KINDS[k] for k in info.applicant_kinds)}. Départements : "
            f"{', '.join(info.departments)}. Sources : {', '.join(info.documents)}.",
        ]
    out += ["", "## Versions et paramètres", ""]
    for v in default_versions():
        out += _version(v)
    out += ["## Catégories de dépenses", "", "| Code | Libellé |", "|---|---|"]
    out += [f"| `{code}` | {_cell(label)} |" for code, label in CATEGORIES.items()]
    out += [
        "",
        "## Motifs (codes stables)",
        "",
        "La source affichée dans un résultat est celle du paramètre du dispositif qui a joué "
        "quand il y en a un ; sinon la source ci-dessous.",
        "",
        "| Code | Message | Source |",
        "|---|---|---|",
    ]
    out += [
        f"| `{code}` | {_cell(msg)} | {_cell(src.cite())} |" for code, (msg, src) in REASONS.items()
    ]
    out += [
        "",
        "## Critères vérifiés (liste de contrôle)",
        "",
        "Le résultat de `simulate` contient `checks` : chaque critère d'éligibilité que la "
        "version en vigueur évalue pour la situation, dans l'ordre ci-dessous, avec `passed` "
        "(vrai, faux, ou null quand le critère ne s'applique pas au demandeur ou n'a pas pu être "
        "évalué), un libellé et un constat en français, et la source. La source affichée est "
        "celle du paramètre de la version qui porte le critère ; un critère non rempli cite la "
        "même source que le motif qu'il produit. Le libellé affiché reprend les seuils de la "
        "version (par exemple « Effectif inférieur à 20 salariés »).",
        "",
        "Un critère qui ne figure dans aucune version n'apparaît pas. Seule inéligibilité sans "
        "critère : "
        + ", ".join(f"`{code}`" for code in NOT_A_CRITERION)
        + " (le calcul ne laisse aucune aide à verser).",
        "",
        "| Code | Critère | Motifs en cas d'échec | Source par défaut |",
        "|---|---|---|---|",
    ]
    out += [
        f"| `{code}` | {_cell(d.title)} | {', '.join(f'`{r}`' for r in d.reasons)} | "
        f"{_cell(d.default_source().cite())} |"
        for code, d in CHECKS.items()
    ]
    out += [
        "",
        "## Activités exclues (table NAF rév. 2)",
        "",
        "Un code correspond à une ligne quand il commence par son préfixe ; le préfixe le plus "
        "long l'emporte. Chaque version liste les familles exclues dans "
        "`excluded_activities`.",
        "",
        "| Préfixe NAF | Libellé | Famille | Source |",
        "|---|---|---|---|",
    ]
    for prefix, family, label in NAF_TABLE:
        shown = prefix if len(prefix) < 3 else f"{prefix[:2]}.{prefix[2:]}"
        out.append(
            f"| {shown} | {_cell(label)} | {FAMILIES[family].label} | "
            f"{_cell(FAMILIES[family].source.cite())} |"
        )
    out += [
        "",
        "## Divergences entre fiches et délibération",
        "",
        "La délibération l'emporte toujours sur la fiche.",
        "",
    ]
    for d in DISAGREEMENTS:
        out += [
            f"### {d.scheme} — {d.topic}",
            "",
            f"- Fiche : {d.fiche.cite()}",
            f"- Délibération : {d.deliberation.cite()}",
            f"- Choix : {d.choice} (paramètre `{d.parameter}`)",
            "",
        ]
    out += ["## Interprétations (textes muets)", ""]
    for scope, src, text in INTERPRETATIONS:
        out.append(f"- **{scope}** — {text} ({src.cite()})")
    for v in default_versions():
        for name in sorted(v.parameters):
            note = v.parameters[name].note
            if "nterprétation" in note or "Formule retenue" in note or name == "validity":
                out.append(f"- **{v.scheme}**, `{name}` — {note}")
    out += [
        "",
        "## Lectures ouvertes (issue 16) : décision, argument, paramètre",
        "",
        "Les textes laissent ces questions ouvertes. Chaque décision est argumentée depuis le "
        "texte cité ; le paramètre permet à une région de choisir l'autre lecture dans une "
        "version de ses règles.",
        "",
        "| Dispositif | Paramètre | Valeur | Passage | Décision et argument |",
        "|---|---|---|---|---|",
    ]
    for v in default_versions():
        for name in OPEN_READINGS:
            param = v.parameters.get(name)
            if param is not None and param.note:
                out.append(
                    f"| {v.scheme} | `{name}` | {_cell(_value(name, param.value))} | "
                    f"{_cell(param.source.cite())} | {_cell(param.note)} |"
                )
    out.append("")
    return "\n".join(out)


OPEN_READINGS = (
    "hardware_one_per_type",
    "hardware_max_devices",
    "cap_counts_years",
    "non_cumulative_years",
    "early_commitment",
    "floor_on_prorated_base",
    "region_share_before_cap",
    "region_share_proration",
)
