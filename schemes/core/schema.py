"""The parameters of a rule version, described once: type, French label, range, allowed codes.

The scheme managers' editor, the import of a version and the validation are all generated from
these definitions (never written per scheme). Pure data and pure functions: no Django.

Each definition names a *kind*; values are the core's own Python values (Decimal amounts and
rates, `date`, lists of codes, lists of dicts for tables). `coerce_value` reads a value written by
a person or a file (strings, numbers) into that form; `validate_version` checks a whole version
and answers a list of `InputError`s whose `field` is the parameter name (and the row and column
for a table), with a French message meant for that field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .catalog import BASES, CATEGORIES, KINDS, MODES, SCHEMES
from .documents import WHEN
from .fmt import fr_eur, fr_pct
from .model import InputError, Param, RuleVersion
from .naf import FAMILIES, NAF_TABLE, display_naf

# --- Kinds --------------------------------------------------------------------------------------

AMOUNT = "amount"  # Decimal euros, >= 0
RATE = "rate"  # Decimal between 0 and 1, shown in %
NUMBER = "number"  # Decimal count (headcount), >= 0
INTEGER = "integer"  # int (years, months, devices)
BOOLEAN = "boolean"
DATE = "date"
CHOICE = "choice"  # one code among `choices`
CHOICES = "choices"  # list of codes among `choices`
NAF_FAMILIES = "naf_families"  # list of NAF families (each with its NAF codes and INSEE labels)
TIERS = "tiers"  # list of {"from": amount, "award": amount}, ascending
TABLE = "table"  # list of rows, one dict per row, columns described by `columns`
TEXT = "text"
CODES = "codes"  # free list of short codes (legal forms)
VALIDITY = "validity"  # {"valid_from": date, "valid_to": date | None}: the version's own dates

KIND_LABELS = {
    AMOUNT: "montant en euros",
    RATE: "taux en %",
    NUMBER: "nombre",
    INTEGER: "nombre entier",
    BOOLEAN: "oui ou non",
    DATE: "date",
    CHOICE: "un choix",
    CHOICES: "liste de choix",
    NAF_FAMILIES: "familles d'activités (codes NAF)",
    TIERS: "barème par tranches",
    TABLE: "tableau",
    TEXT: "texte",
    CODES: "liste de codes",
    VALIDITY: "période de validité",
}

PROFILES = {
    "artisan_commercant": "artisan-commerçant",
    "ess": "entreprise de l'économie sociale et solidaire",
    "market_enterprise": "structure à activité marchande majoritaire",
    "local_authority": "collectivité territoriale",
}
DIGITAL_CORE = {
    "none": "aucune exclusion",
    "ess": "exclues parmi les entreprises de l'ESS",
    "all": "toujours exclues",
}
EARLY_COMMITMENT = {
    "line": "seule la dépense engagée est écartée",
    "dossier": "tout le dossier est refusé",
}
DE_MINIMIS_WINDOWS = {
    "fiscal_years": "exercice en cours et les deux précédents",
    "rolling": "années glissantes",
}
DEPARTMENT_NAMES = {
    "02": "Aisne",
    "59": "Nord",
    "60": "Oise",
    "62": "Pas-de-Calais",
    "80": "Somme",
    "44": "Loire-Atlantique",
    "49": "Maine-et-Loire",
    "53": "Mayenne",
    "72": "Sarthe",
    "85": "Vendée",
    "75": "Paris",
    "77": "Seine-et-Marne",
    "78": "Yvelines",
    "91": "Essonne",
    "92": "Hauts-de-Seine",
    "93": "Seine-Saint-Denis",
    "94": "Val-de-Marne",
    "95": "Val-d'Oise",
}
MAX_AMOUNT = Decimal("100000000")
GROUPS = (
    "Demandeurs",
    "Territoire",
    "Montants",
    "Dépenses",
    "Conditions",
    "Historique et cumul",
    "Paiement",
    "Pièces",
    "Validité",
)


def _departments(scheme: str) -> dict[str, str]:
    info = SCHEMES.get(scheme)
    codes = info.departments if info else tuple(DEPARTMENT_NAMES)
    return {code: f"{DEPARTMENT_NAMES.get(code, code)} ({code})" for code in codes}


def _other_schemes(scheme: str) -> dict[str, str]:
    return {code: f"{info.name} ({code})" for code, info in SCHEMES.items() if code != scheme}


def _naf_families(_scheme: str) -> dict[str, str]:
    return {code: family.label for code, family in FAMILIES.items()}


def naf_codes(family: str) -> list[tuple[str, str]]:
    """The NAF rév. 2 codes (dotted) and their INSEE labels that a family covers."""
    return [(display_naf(p) if len(p) >= 4 else p, lab) for p, f, lab in NAF_TABLE if f == family]


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str
    optional: bool = False
    choices: dict[str, str] | None = None
    # An empty optional cell is stored as None (True) or left out of the row (False).
    keeps_none: bool = False


@dataclass(frozen=True)
class ParamDef:
    """One parameter: what it is, how it is typed and what values it may take."""

    name: str
    label: str
    kind: str
    group: str
    optional: bool = False  # None allowed: « le texte ne prévoit pas cette règle »
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    exclusive_minimum: bool = False
    min_items: int = 0
    choices: dict[str, str] | Callable[[str], dict[str, str]] | None = None
    columns: tuple[Column, ...] = ()
    help: str = ""

    def choices_for(self, scheme: str) -> dict[str, str]:
        if callable(self.choices):
            return self.choices(scheme)
        return dict(self.choices or {})


D = Decimal
_YEARS = {"minimum": 0, "maximum": 20}
_MONTHS = {"minimum": 0, "maximum": 120}


def _defs() -> tuple[ParamDef, ...]:
    a, t, m, x, c, h, p, doc, v = GROUPS
    return (
        # Demandeurs
        ParamDef(
            "applicant_kinds", "Types de demandeurs admis", CHOICES, a, choices=KINDS, min_items=1
        ),
        ParamDef("profiles", "Profils de demandeurs", CHOICES, a, choices=PROFILES, min_items=1),
        ParamDef(
            "max_turnover",
            "Chiffre d'affaires maximal (strictement inférieur)",
            AMOUNT,
            a,
            optional=True,
        ),
        ParamDef(
            "max_headcount",
            "Effectif maximal (strictement inférieur)",
            NUMBER,
            a,
            optional=True,
            maximum=D("100000"),
        ),
        ParamDef(
            "sme_max_headcount",
            "PME : effectif maximal (strictement inférieur)",
            NUMBER,
            a,
            optional=True,
            maximum=D("100000"),
        ),
        ParamDef("sme_max_turnover", "PME : chiffre d'affaires maximal", AMOUNT, a, optional=True),
        ParamDef("sme_max_balance_sheet", "PME : total du bilan maximal", AMOUNT, a, optional=True),
        ParamDef(
            "sme_aggregation",
            "PME : entreprises partenaires et liées cumulées",
            BOOLEAN,
            a,
            optional=True,
        ),
        ParamDef(
            "min_age_years", "Ancienneté minimale (années)", INTEGER, a, optional=True, **_YEARS
        ),
        ParamDef(
            "min_market_activity_share",
            "Part minimale d'activité marchande (strictement supérieure)",
            RATE,
            a,
            optional=True,
        ),
        ParamDef(
            "micro_certified_accounts_required",
            "Micro-entreprise : comptes certifiés exigés",
            BOOLEAN,
            a,
            optional=True,
        ),
        ParamDef(
            "micro_min_turnover",
            "Micro-entreprise : chiffre d'affaires minimal",
            AMOUNT,
            a,
            optional=True,
        ),
        ParamDef("tax_social_required", "À jour des obligations fiscales et sociales", BOOLEAN, a),
        ParamDef(
            "not_in_difficulty_required", "Pas en difficulté (règlement 651/2014)", BOOLEAN, a
        ),
        ParamDef("registration_required", "Immatriculation (RCS ou RM) exigée", BOOLEAN, a),
        ParamDef(
            "excluded_activities",
            "Activités exclues (codes NAF)",
            NAF_FAMILIES,
            a,
            choices=_naf_families,
        ),
        ParamDef("aci_excluded", "Ateliers et chantiers d'insertion exclus", BOOLEAN, a),
        ParamDef(
            "digital_core_excluded",
            "Entreprises ayant le numérique pour cœur d'activité",
            CHOICE,
            a,
            choices=DIGITAL_CORE,
        ),
        ParamDef(
            "project_certification_required",
            "Certification du projet par un tiers exigée",
            BOOLEAN,
            a,
        ),
        ParamDef("certifiers", "Tiers de confiance admis pour la certification", TEXT, a),
        ParamDef(
            "ess_capital_forms",
            "ESS : formes de sociétés commerciales (ESUS)",
            CODES,
            a,
            optional=True,
        ),
        ParamDef("ess_cooperative_forms", "ESS : formes coopératives", CODES, a, optional=True),
        ParamDef(
            "ess_employer_group_forms", "ESS : groupements d'employeurs", CODES, a, optional=True
        ),
        # Territoire
        ParamDef(
            "departments", "Départements admis", CHOICES, t, choices=_departments, min_items=1
        ),
        ParamDef(
            "region_share_proration", "Proratisation selon l'activité dans la région", BOOLEAN, t
        ),
        ParamDef(
            "region_share_before_cap",
            "Proratiser avant d'appliquer le plafond",
            BOOLEAN,
            t,
            optional=True,
        ),
        # Montants
        ParamDef(
            "rate",
            "Taux d'aide",
            RATE,
            m,
            optional=True,
            minimum=D("0"),
            exclusive_minimum=True,
            help="Vide si l'aide suit un barème par tranches.",
        ),
        ParamDef(
            "tiers",
            "Barème par tranches",
            TIERS,
            m,
            optional=True,
            help="Vide si l'aide est un taux.",
        ),
        ParamDef("floor", "Seuil minimal des dépenses éligibles", AMOUNT, m, optional=True),
        ParamDef(
            "floor_on_prorated_base",
            "Seuil apprécié sur l'assiette proratisée",
            BOOLEAN,
            m,
            optional=True,
        ),
        ParamDef(
            "base_ceiling", "Assiette maximale des dépenses éligibles", AMOUNT, m, optional=True
        ),
        ParamDef("ceiling", "Plafond de l'aide", AMOUNT, m, optional=True),
        ParamDef("ceiling_per_company", "Plafond par entreprise (et non par dossier)", BOOLEAN, m),
        ParamDef(
            "cap_wait_years",
            "Délai après le plafond atteint (années)",
            INTEGER,
            m,
            optional=True,
            **_YEARS,
        ),
        ParamDef(
            "cap_counts_years",
            "Durée pendant laquelle une aide compte dans le plafond (années)",
            INTEGER,
            m,
            optional=True,
            **_YEARS,
        ),
        ParamDef(
            "public_aid_cap_rate",
            "Plafond de cumul des aides publiques",
            RATE,
            m,
            optional=True,
            minimum=D("0"),
            exclusive_minimum=True,
        ),
        # Dépenses
        ParamDef(
            "eligible_categories",
            "Catégories de dépenses éligibles",
            CHOICES,
            x,
            choices=CATEGORIES,
            min_items=1,
        ),
        ParamDef(
            "eligible_modes", "Modes d'acquisition admis", CHOICES, x, choices=MODES, min_items=1
        ),
        ParamDef("expense_bases", "Montants des dépenses", CHOICES, x, choices=BASES, min_items=1),
        ParamDef(
            "subscription_months_cap",
            "Durée maximale d'abonnement retenue (mois)",
            INTEGER,
            x,
            optional=True,
            minimum=1,
            maximum=120,
        ),
        ParamDef(
            "hardware_max_devices",
            "Nombre maximal de matériels informatiques",
            INTEGER,
            x,
            optional=True,
            minimum=0,
            maximum=10,
        ),
        ParamDef(
            "hardware_device_cap", "Plafond par matériel informatique", AMOUNT, x, optional=True
        ),
        ParamDef(
            "hardware_one_per_type", "Un matériel de chaque type au plus", BOOLEAN, x, optional=True
        ),
        ParamDef("expenses_after_filing", "Dépenses engagées après le dépôt seulement", BOOLEAN, x),
        ParamDef(
            "early_commitment",
            "Dépense engagée avant le dépôt",
            CHOICE,
            x,
            optional=True,
            choices=EARLY_COMMITMENT,
        ),
        ParamDef("expenses_from", "Dépenses engagées à partir du", DATE, x, optional=True),
        ParamDef(
            "expenses_from_acknowledgment",
            "Dépenses éligibles à partir de l'accusé de réception",
            BOOLEAN,
            x,
            optional=True,
        ),
        ParamDef(
            "expense_period_months",
            "Durée maximale des dépenses (mois)",
            INTEGER,
            x,
            optional=True,
            **_MONTHS,
        ),
        # Conditions de dépôt
        ParamDef(
            "one_dossier_per_project", "Un seul dossier par projet", BOOLEAN, c, optional=True
        ),
        ParamDef(
            "reapplication_wait_years",
            "Délai entre deux demandes (années)",
            INTEGER,
            c,
            optional=True,
            **_YEARS,
        ),
        ParamDef(
            "max_awards_per_year",
            "Nombre maximal d'aides par an",
            INTEGER,
            c,
            optional=True,
            minimum=1,
            maximum=12,
        ),
        ParamDef(
            "max_award_years",
            "Nombre maximal d'années aidées",
            INTEGER,
            c,
            optional=True,
            minimum=1,
            maximum=20,
        ),
        # Historique et cumul
        ParamDef("non_cumulative_with", "Non cumulable avec", CHOICES, h, choices=_other_schemes),
        ParamDef(
            "non_cumulative_years",
            "Durée du non-cumul (années)",
            INTEGER,
            h,
            optional=True,
            **_YEARS,
        ),
        ParamDef("de_minimis", "Régime de minimis", BOOLEAN, h),
        ParamDef(
            "de_minimis_regimes",
            "Règlements de minimis selon la date de dépôt",
            TABLE,
            h,
            min_items=1,
            columns=(
                Column("regulation", "Règlement", TEXT),
                Column("valid_from", "Du", DATE),
                Column("valid_to", "Au", DATE, optional=True, keeps_none=True),
                Column("ceiling", "Plafond", AMOUNT),
                Column("window", "Période", CHOICE, choices=DE_MINIMIS_WINDOWS),
                Column("years", "Années", INTEGER),
            ),
        ),
        # Paiement
        ParamDef("advance_rate", "Taux de l'avance", RATE, p, minimum=D("0"), maximum=D("1")),
        ParamDef("advance_threshold", "Aide versée en une fois jusqu'à", AMOUNT, p, optional=True),
        ParamDef(
            "realisation_months_after_award",
            "Réalisation : mois après la décision",
            INTEGER,
            p,
            optional=True,
            **_MONTHS,
        ),
        ParamDef(
            "realisation_months_after_start",
            "Réalisation : mois après le début des dépenses",
            INTEGER,
            p,
            optional=True,
            **_MONTHS,
        ),
        ParamDef(
            "proofs_months",
            "Délai de transmission des justificatifs (mois)",
            INTEGER,
            p,
            optional=True,
            **_MONTHS,
        ),
        ParamDef("commission_permanente", "Vote en commission permanente", BOOLEAN, p),
        ParamDef("closing_documents", "Pièces de clôture exigées au solde", BOOLEAN, p),
        ParamDef("final_proration", "Aide finale proratisée aux dépenses justifiées", BOOLEAN, p),
        ParamDef("payment_terms", "Modalités de versement (texte affiché)", TEXT, p),
        # Pièces
        ParamDef(
            "required_documents",
            "Pièces demandées",
            TABLE,
            doc,
            min_items=1,
            columns=(
                Column("code", "Code", TEXT),
                Column("label", "Libellé", TEXT),
                Column(
                    "when",
                    "Condition",
                    CHOICE,
                    optional=True,
                    choices={k: label for k, (label, _) in WHEN.items()},
                ),
            ),
        ),
        # Validité
        ParamDef(
            "validity", "Validité des règles", VALIDITY, v, help="Reprend les dates de la version."
        ),
    )


PARAMETERS: dict[str, ParamDef] = {d.name: d for d in _defs()}


def definitions_by_group() -> list[tuple[str, list[ParamDef]]]:
    return [(g, [d for d in PARAMETERS.values() if d.group == g]) for g in GROUPS]


# --- Reading a value written by a person or a file ----------------------------------------------


def _decimal(raw: Any, label: str) -> Decimal:
    if isinstance(raw, bool):
        raise InputError(f"{label} : un nombre est attendu.")
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        text = text.replace("€", "").replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise InputError(f"{label} : « {raw} » n'est pas un nombre.") from None
    if not value.is_finite():
        raise InputError(f"{label} : « {raw} » n'est pas un nombre.")
    return value


def _integer(raw: Any, label: str) -> int:
    value = _decimal(raw, label)
    if value != value.to_integral_value():
        raise InputError(f"{label} : un nombre entier est attendu.")
    return int(value)


def _date(raw: Any, label: str) -> date:
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    try:
        if "/" in text:
            day, month, year = text.split("/")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{label} : « {raw} » n'est pas une date (JJ/MM/AAAA).") from None


def _boolean(raw: Any, label: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in {"true", "oui", "1", "vrai"}:
        return True
    if text in {"false", "non", "0", "faux"}:
        return False
    raise InputError(f"{label} : « oui » ou « non » attendu.")


def _scalar(kind: str, raw: Any, label: str, choices: dict[str, str] | None = None) -> Any:
    if kind in (AMOUNT, NUMBER):
        return _decimal(raw, label)
    if kind == RATE:
        return _decimal(raw, label)
    if kind == INTEGER:
        return _integer(raw, label)
    if kind == BOOLEAN:
        return _boolean(raw, label)
    if kind == DATE:
        return _date(raw, label)
    if kind in (CHOICE, TEXT):
        if not isinstance(raw, str):
            raise InputError(f"{label} : un texte est attendu.")
        return raw.strip()
    raise InputError(f"{label} : type inconnu.")


def _list(raw: Any, label: str) -> list:
    if not isinstance(raw, list | tuple):
        raise InputError(f"{label} : une liste est attendue.")
    return list(raw)


def coerce_value(defn: ParamDef, raw: Any) -> Any:
    """`raw` (JSON, YAML or form text) as the core's value for `defn`; InputError when unreadable.

    Rates are read as fractions (0.5 for 50 %), as the core stores them."""
    label = defn.label
    if raw is None or (isinstance(raw, str) and not raw.strip() and defn.kind != TEXT):
        return None
    try:
        if defn.kind in (CHOICES, NAF_FAMILIES, CODES):
            return [str(item).strip() for item in _list(raw, label)]
        if defn.kind == TIERS:
            rows = []
            for i, row in enumerate(_list(raw, label), start=1):
                if not isinstance(row, dict):
                    raise InputError(f"{label}, ligne {i} : « from » et « award » attendus.")
                rows.append(
                    {
                        "from": _decimal(row.get("from"), f"{label}, ligne {i}"),
                        "award": _decimal(row.get("award"), f"{label}, ligne {i}"),
                    }
                )
            return rows
        if defn.kind == TABLE:
            rows = []
            for i, row in enumerate(_list(raw, label), start=1):
                if not isinstance(row, dict):
                    raise InputError(f"{label}, ligne {i} : une ligne de tableau est attendue.")
                out = {}
                for col in defn.columns:
                    cell = row.get(col.name)
                    if cell is None or (isinstance(cell, str) and not cell.strip()):
                        if col.kind == TEXT and not col.optional:
                            out[col.name] = ""
                        elif col.optional:
                            if col.keeps_none:
                                out[col.name] = None
                            continue
                        else:
                            raise InputError(f"{label}, ligne {i} : « {col.label} » manque.")
                    else:
                        out[col.name] = _scalar(col.kind, cell, f"{label}, ligne {i}, {col.label}")
                rows.append(out)
            return rows
        if defn.kind == VALIDITY:
            if not isinstance(raw, dict):
                raise InputError(f"{label} : dates de début et de fin attendues.")
            end = raw.get("valid_to")
            return {
                "valid_from": _date(raw.get("valid_from"), label),
                "valid_to": None if end in (None, "") else _date(end, label),
            }
        return _scalar(defn.kind, raw, label)
    except InputError as exc:
        raise InputError(exc.message, defn.name) from None


# --- Validation ---------------------------------------------------------------------------------


def _range_errors(defn: ParamDef, value: Any, label: str) -> list[str]:
    errors = []
    if defn.kind == RATE:
        low = defn.minimum if defn.minimum is not None else D("0")
        high = defn.maximum if defn.maximum is not None else D("1")
        if value < low or (defn.exclusive_minimum and value == low) or value > high:
            bound = "supérieur à" if defn.exclusive_minimum else "au moins"
            errors.append(
                f"{label} : le taux doit être {bound} {fr_pct(low)} et au plus {fr_pct(high)} "
                f"(saisi : {fr_pct(value)})."
            )
        return errors
    if defn.kind in (AMOUNT, NUMBER, INTEGER):
        low = defn.minimum if defn.minimum is not None else 0
        high = defn.maximum if defn.maximum is not None else MAX_AMOUNT
        shown = fr_eur(value) if defn.kind == AMOUNT else str(value)
        if value < low:
            errors.append(
                f"{label} : la valeur ne peut pas être inférieure à {low} (saisi : {shown})."
            )
        elif value > high:
            errors.append(f"{label} : la valeur ne peut pas dépasser {high} (saisi : {shown}).")
        if defn.kind == AMOUNT and value == value and value.as_tuple().exponent < -2:
            errors.append(f"{label} : au plus deux décimales (centimes).")
    return errors


def _type_ok(kind: str, value: Any) -> bool:
    if kind in (AMOUNT, NUMBER, RATE):
        return isinstance(value, Decimal) and value.is_finite()
    if kind == INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == BOOLEAN:
        return isinstance(value, bool)
    if kind == DATE:
        return isinstance(value, date)
    if kind in (CHOICE, TEXT):
        return isinstance(value, str)
    return True


def validate_value(defn: ParamDef, value: Any, scheme: str) -> list[InputError]:
    """The errors of one parameter's value, each on the parameter's field."""
    name, label = defn.name, defn.label

    def err(message: str, path: str | None = None) -> InputError:
        return InputError(message, path or name)

    if value is None:
        return [] if defn.optional else [err(f"{label} : une valeur est obligatoire.")]
    if defn.kind in (AMOUNT, NUMBER, RATE, INTEGER, BOOLEAN, DATE, TEXT):
        if not _type_ok(defn.kind, value):
            return [err(f"{label} : valeur attendue de type {KIND_LABELS[defn.kind]}.")]
        return [err(m) for m in _range_errors(defn, value, label)]
    if defn.kind == CHOICE:
        allowed = defn.choices_for(scheme)
        if value not in allowed:
            return [err(f"{label} : « {value} » n'est pas un choix possible.")]
        return []
    if defn.kind in (CHOICES, NAF_FAMILIES, CODES):
        if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
            return [err(f"{label} : une liste est attendue.")]
        errors = []
        if len(value) < defn.min_items:
            errors.append(err(f"{label} : cochez au moins un choix."))
        if len(set(value)) != len(value):
            errors.append(err(f"{label} : un même choix figure deux fois."))
        if defn.kind == CODES:
            bad = [i for i in value if not i or len(i) > 20]
            if bad:
                errors.append(err(f"{label} : chaque code fait de 1 à 20 caractères."))
            return errors
        allowed = defn.choices_for(scheme)
        unknown = [i for i in value if i not in allowed]
        if unknown:
            what = "famille d'activités inconnue" if defn.kind == NAF_FAMILIES else "choix inconnu"
            many = "s" if len(unknown) > 1 else ""
            errors.append(
                err(f"{label} : {what}{many} pour ce dispositif : " + ", ".join(unknown) + ".")
            )
        return errors
    if defn.kind == TIERS:
        return _tier_errors(defn, value)
    if defn.kind == TABLE:
        return _table_errors(defn, value, scheme)
    if defn.kind == VALIDITY:
        if not isinstance(value, dict) or not isinstance(value.get("valid_from"), date):
            return [err(f"{label} : date de début attendue.")]
        end = value.get("valid_to")
        if end is not None and (not isinstance(end, date) or end < value["valid_from"]):
            return [err(f"{label} : la fin de validité précède son début.")]
        return []
    return [err(f"{label} : type inconnu.")]


def _tier_errors(defn: ParamDef, value: Any) -> list[InputError]:
    name, label = defn.name, defn.label
    if not isinstance(value, list) or not value:
        return [InputError(f"{label} : au moins une tranche est attendue.", name)]
    errors = []
    previous = None
    for i, row in enumerate(value, start=1):
        path = f"{name}.{i}"
        if not (isinstance(row, dict) and set(row) == {"from", "award"}):
            errors.append(
                InputError(f"{label}, ligne {i} : « à partir de » et « aide » attendus.", path)
            )
            continue
        if not all(_type_ok(AMOUNT, row[k]) for k in ("from", "award")):
            errors.append(InputError(f"{label}, ligne {i} : montants attendus.", path))
            continue
        if row["from"] <= 0 or row["award"] <= 0:
            errors.append(
                InputError(f"{label}, ligne {i} : les montants doivent être positifs.", path)
            )
        if row["award"] > row["from"]:
            errors.append(
                InputError(
                    f"{label}, ligne {i} : l'aide ({fr_eur(row['award'])}) dépasse les dépenses "
                    f"de la tranche ({fr_eur(row['from'])}).",
                    path,
                )
            )
        if previous is not None:
            if row["from"] <= previous["from"]:
                errors.append(
                    InputError(
                        f"{label}, ligne {i} : les tranches doivent être croissantes "
                        f"({fr_eur(row['from'])} après {fr_eur(previous['from'])}).",
                        path,
                    )
                )
            elif row["award"] < previous["award"]:
                errors.append(
                    InputError(
                        f"{label}, ligne {i} : l'aide d'une tranche supérieure ne peut pas être "
                        f"plus faible ({fr_eur(row['award'])} après {fr_eur(previous['award'])}).",
                        path,
                    )
                )
        previous = row
    return errors


def _table_errors(defn: ParamDef, value: Any, scheme: str) -> list[InputError]:
    name, label = defn.name, defn.label
    if not isinstance(value, list):
        return [InputError(f"{label} : un tableau est attendu.", name)]
    errors = []
    if len(value) < defn.min_items:
        errors.append(InputError(f"{label} : au moins une ligne est attendue.", name))
    for i, row in enumerate(value, start=1):
        path = f"{name}.{i}"
        if not isinstance(row, dict):
            errors.append(InputError(f"{label}, ligne {i} : ligne illisible.", path))
            continue
        extra = set(row) - {c.name for c in defn.columns}
        if extra:
            errors.append(
                InputError(f"{label}, ligne {i} : colonne inconnue {sorted(extra)}.", path)
            )
        for col in defn.columns:
            cell = row.get(col.name)
            where = f"{label}, ligne {i}, {col.label}"
            if cell is None or cell == "":
                if not col.optional:
                    errors.append(InputError(f"{where} : une valeur est obligatoire.", path))
                continue
            if not _type_ok(col.kind, cell):
                errors.append(InputError(f"{where} : {KIND_LABELS[col.kind]} attendu.", path))
            elif col.kind == CHOICE and cell not in (col.choices or {}):
                errors.append(
                    InputError(f"{where} : « {cell} » n'est pas un choix possible.", path)
                )
            elif col.kind in (AMOUNT, INTEGER) and cell < 0:
                errors.append(InputError(f"{where} : la valeur ne peut pas être négative.", path))
        start, end = row.get("valid_from"), row.get("valid_to")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            errors.append(InputError(f"{label}, ligne {i} : la fin précède le début.", path))
    if defn.name == "required_documents":
        codes = [row.get("code") for row in value if isinstance(row, dict)]
        if len(set(codes)) != len(codes):
            errors.append(InputError(f"{label} : un même code de pièce figure deux fois.", name))
    return errors


def _cross_errors(values: dict[str, Any]) -> list[InputError]:
    """Rules between parameters: floor ≤ ceiling, one way of computing the aid, and so on."""
    errors = []
    rate, tiers = values.get("rate"), values.get("tiers")
    floor, base_ceiling, ceiling = (
        values.get("floor"),
        values.get("base_ceiling"),
        values.get("ceiling"),
    )
    if (rate is None) == (tiers is None):
        errors.append(
            InputError(
                "Taux d'aide : indiquez soit un taux, soit un barème par tranches (un seul des deux).",
                "rate",
            )
        )
    if isinstance(floor, Decimal) and isinstance(base_ceiling, Decimal) and floor > base_ceiling:
        errors.append(
            InputError(
                f"Seuil minimal des dépenses éligibles : le seuil ({fr_eur(floor)}) dépasse "
                f"l'assiette maximale ({fr_eur(base_ceiling)}).",
                "floor",
            )
        )
    if isinstance(rate, Decimal) and isinstance(floor, Decimal) and isinstance(ceiling, Decimal):
        smallest = rate * floor
        if ceiling < smallest:
            errors.append(
                InputError(
                    f"Plafond de l'aide : le plafond ({fr_eur(ceiling)}) est inférieur à la plus "
                    f"petite aide possible (taux × seuil = {fr_eur(smallest)}).",
                    "ceiling",
                )
            )
    if isinstance(tiers, list) and tiers and isinstance(ceiling, Decimal):
        top = tiers[-1].get("award") if isinstance(tiers[-1], dict) else None
        if isinstance(top, Decimal) and top > ceiling:
            errors.append(
                InputError(
                    f"Barème par tranches : l'aide de la dernière tranche ({fr_eur(top)}) dépasse "
                    f"le plafond de l'aide ({fr_eur(ceiling)}).",
                    "tiers",
                )
            )
    small, sme = values.get("micro_min_turnover"), values.get("sme_max_turnover")
    if isinstance(small, Decimal) and isinstance(sme, Decimal) and small > sme:
        errors.append(
            InputError(
                "Micro-entreprise : chiffre d'affaires minimal : il dépasse le plafond de la PME.",
                "micro_min_turnover",
            )
        )
    return errors


def validate_version(version: RuleVersion) -> list[InputError]:
    """Every error of a version, each with the field it belongs to (the parameter name, or
    `valid_to`, `label`); an empty list when the version can be stored and used."""
    errors: list[InputError] = []
    if version.valid_to is not None and version.valid_to < version.valid_from:
        errors.append(InputError("La fin de validité précède son début.", "valid_to"))
    if not version.label.strip():
        errors.append(InputError("Donnez un libellé à la version.", "label"))
    params = version.parameters
    for name in params:
        if name not in PARAMETERS:
            errors.append(InputError(f"Paramètre inconnu des règles : « {name} ».", name))
    for name, defn in PARAMETERS.items():
        if name not in params:
            errors.append(InputError(f"{defn.label} : paramètre manquant.", name))
            continue
        param = params[name]
        errors.extend(validate_value(defn, param.value, version.scheme))
        if not param.source.document.strip() or not param.source.passage.strip():
            errors.append(
                InputError(f"{defn.label} : citez la source (texte et passage).", f"{name}.source")
            )
    values = {n: p.value for n, p in params.items()}
    errors.extend(_cross_errors(values))
    return errors


def changed_parameters(before: RuleVersion, after: RuleVersion) -> list[str]:
    """Names of the parameters whose value or citation differs, in definition order."""
    names = [n for n in PARAMETERS if n in before.parameters or n in after.parameters]
    out = []
    for name in names:
        old, new = before.parameters.get(name), after.parameters.get(name)
        if old is None or new is None or old.value != new.value or old.source != new.source:
            out.append(name)
    return out


def value_changed(before: Param | None, after: Param | None) -> bool:
    return before is None or after is None or before.value != after.value


def display_value(defn: ParamDef, value: Any, scheme: str) -> str:
    """The value as a person reads it: « 50 % », « 15 000,00 € », « 01/01/2027 », labels."""
    from .fmt import fr_date

    if value is None:
        return "non prévu"
    if defn.kind == AMOUNT:
        return fr_eur(value)
    if defn.kind == RATE:
        return fr_pct(value)
    if defn.kind in (NUMBER, INTEGER):
        return str(value)
    if defn.kind == BOOLEAN:
        return "oui" if value else "non"
    if defn.kind == DATE:
        return fr_date(value)
    if defn.kind == CHOICE:
        return defn.choices_for(scheme).get(value, value)
    if defn.kind in (CHOICES, NAF_FAMILIES):
        labels = defn.choices_for(scheme)
        return " ; ".join(labels.get(i, i) for i in value) or "aucun"
    if defn.kind == CODES:
        return ", ".join(value) or "aucun"
    if defn.kind == TIERS:
        return " ; ".join(f"à partir de {fr_eur(r['from'])} : {fr_eur(r['award'])}" for r in value)
    if defn.kind == TABLE:
        return " ; ".join(
            " – ".join(
                display_value(
                    ParamDef(c.name, c.label, c.kind, "", choices=c.choices),
                    row.get(c.name),
                    scheme,
                )
                for c in defn.columns
                if row.get(c.name) not in (None, "")
            )
            for row in value
        )
    if defn.kind == VALIDITY:
        end = value.get("valid_to")
        start = fr_date(value["valid_from"])
        return f"du {start} au {fr_date(end)}" if end else f"à partir du {start}"
    return str(value)
