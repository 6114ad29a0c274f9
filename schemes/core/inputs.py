"""Parsing and validation of a situation (contract section 2) into frozen dataclasses.

Every error is an `InputError` with a French message and the dotted path of the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .catalog import BASES, CATEGORIES, DEVICES, KINDS, MODES, SCHEMES
from .model import InputError
from .naf import normalize_naf

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")
_DEPT_RE = re.compile(r"^(\d{2,3}|2[AB])$")
STATUSES = ("pending", "awarded", "refused", "withdrawn")


@dataclass(frozen=True)
class Holding:
    share: Decimal
    headcount: Decimal
    turnover: Decimal
    balance_sheet_total: Decimal | None


@dataclass(frozen=True)
class Applicant:
    kind: str
    legal_form: str
    naf: str | None
    department: str | None
    created_on: date | None
    headcount: Decimal
    turnover: Decimal
    balance_sheet_total: Decimal | None
    registered_rcs: bool
    registered_rm: bool
    esus: bool
    siae: bool
    aci: bool
    digital_core: bool
    in_difficulty: bool
    tax_social_up_to_date: bool
    market_activity_share: Decimal
    micro_enterprise: bool
    certified_accounts: bool
    project_certified: bool
    region_share: Decimal
    holdings: tuple[Holding, ...]


@dataclass(frozen=True)
class Expense:
    index: int
    category: str
    amount: Decimal
    mode: str
    months: int
    device: str | None
    committed_on: date | None


@dataclass(frozen=True)
class Project:
    expense_basis: str
    expenses: tuple[Expense, ...]
    other_public_funding: Decimal


@dataclass(frozen=True)
class DeMinimisAid:
    granted_on: date
    amount: Decimal


@dataclass(frozen=True)
class PastApplication:
    scheme: str
    filed_on: date
    acknowledged_on: date | None
    awarded: Decimal | None
    status: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class History:
    de_minimis: tuple[DeMinimisAid, ...]
    applications: tuple[PastApplication, ...]


@dataclass(frozen=True)
class Situation:
    scheme: str
    filed_on: date
    applicant: Applicant
    project: Project
    history: History


@dataclass(frozen=True)
class SettleRequest:
    scheme: str
    filed_on: date
    award: Decimal
    planned_base: Decimal | None
    actual_base: Decimal | None
    advance_paid: Decimal
    expense_basis: str
    region_share: Decimal
    other_public_funding: Decimal


# --- field readers --------------------------------------------------------------------------


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def obj(value: Any, path: str | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        where = "La situation" if not path else f"Le champ « {path} »"
        raise InputError(f"{where} doit être un objet JSON.", path or None)
    return value


def _present(d: dict[str, Any], key: str) -> bool:
    return key in d and d[key] is not None


def required(d: dict[str, Any], key: str, path: str) -> Any:
    if not _present(d, key):
        raise InputError(
            f"Le champ obligatoire « {_join(path, key)} » est absent.", _join(path, key)
        )
    return d[key]


# Amounts are computed with Decimal to the cent: beyond a thousand billion euros they are not
# plausible and would exceed the decimal context's precision.
MAX_AMOUNT = Decimal("1000000000000")


# Parsed decimal strings and dates, by their text: situations repeat the same amounts and days.
# Only valid values are kept (an invalid one raises each time, with its own field path).
_AMOUNTS: dict[str, Decimal] = {}
_DATES: dict[str, date] = {}
_MEMO_MAX = 20_000


def _memo(table: dict[str, Any], key: str, value: Any) -> Any:
    if len(table) >= _MEMO_MAX:
        table.clear()
    table[key] = value
    return value


def to_amount(value: Any, where: str, allow_negative: bool = False) -> Decimal:
    if type(value) is str:
        known = _AMOUNTS.get(value)
        if known is not None and (allow_negative or known >= 0):
            return known
    if isinstance(value, bool):
        raise InputError(f"« {where} » doit être un montant, pas un booléen.", where)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(str(value))
    elif isinstance(value, str) and _AMOUNT_RE.match(value.strip()):
        amount = Decimal(value.strip())
    else:
        raise InputError(
            f"« {where} » doit être un nombre ou un montant décimal écrit avec un point "
            f'(par exemple "1234.50"), reçu : {value!r}.',
            where,
        )
    if not amount.is_finite():
        raise InputError(f"« {where} » doit être un montant fini.", where)
    if abs(amount) >= MAX_AMOUNT:
        raise InputError(
            f"« {where} » est un montant trop grand (au plus 999 999 999 999,99 €).", where
        )
    if amount < 0 and not allow_negative:
        raise InputError(f"« {where} » ne peut pas être négatif.", where)
    if type(value) is str:
        _memo(_AMOUNTS, value, amount)
    return amount


def amount(d: dict[str, Any], key: str, path: str, default: Decimal | None = Decimal(0)) -> Any:
    if not _present(d, key):
        return default
    return to_amount(d[key], _join(path, key))


def share(d: dict[str, Any], key: str, path: str, default: Decimal) -> Decimal:
    value = amount(d, key, path, default)
    if value > 1:
        where = _join(path, key)
        raise InputError(f"« {where} » est une part comprise entre 0 et 1.", where)
    return value


def flag(d: dict[str, Any], key: str, path: str, default: bool) -> bool:
    value = d.get(key)
    if value is None:
        return default
    if value is True or value is False:
        return value
    if not isinstance(d[key], bool):
        where = _join(path, key)
        raise InputError(f"« {where} » doit valoir true ou false.", where)
    return d[key]


def to_date(value: Any, where: str) -> date:
    if type(value) is str:
        known = _DATES.get(value)
        if known is not None:
            return known
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise InputError(f"« {where} » doit être une date au format AAAA-MM-JJ.", where)
    try:
        return _memo(_DATES, value, date.fromisoformat(value))
    except ValueError:
        raise InputError(f"« {where} » n'est pas une date possible : {value}.", where) from None


def opt_date(d: dict[str, Any], key: str, path: str) -> date | None:
    return to_date(d[key], _join(path, key)) if _present(d, key) else None


def text(d: dict[str, Any], key: str, path: str, default: str = "") -> str:
    if not _present(d, key):
        return default
    if not isinstance(d[key], str):
        where = _join(path, key)
        raise InputError(f"« {where} » doit être une chaîne de caractères.", where)
    return d[key].strip()


def choice(
    d: dict[str, Any],
    key: str,
    path: str,
    allowed: dict[str, str] | tuple[str, ...],
    default: str | None = None,
) -> Any:
    if not _present(d, key):
        if default is None:
            return required(d, key, path)
        return default
    value = d[key]
    if not isinstance(value, str) or value not in allowed:
        where = _join(path, key)
        raise InputError(
            f"« {where} » a une valeur inconnue : {value!r} (valeurs possibles : "
            f"{', '.join(allowed)}).",
            where,
        )
    return value


def number(d: dict[str, Any], key: str, path: str) -> Decimal:
    return amount(d, key, path, Decimal(0))


def integer(d: dict[str, Any], key: str, path: str) -> int:
    if not _present(d, key):
        return 0
    value = d[key]
    where = _join(path, key)
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float | str):
        raise InputError(f"« {where} » doit être un nombre entier.", where)
    try:
        dec = Decimal(str(value).strip())
    except InvalidOperation:
        raise InputError(f"« {where} » doit être un nombre entier.", where) from None
    if not dec.is_finite() or dec != dec.to_integral_value() or dec < 0:
        raise InputError(f"« {where} » doit être un nombre entier positif.", where)
    if dec >= MAX_AMOUNT:
        raise InputError(f"« {where} » est un nombre trop grand.", where)
    return int(dec)


def listing(d: dict[str, Any], key: str, path: str, needed: bool = False) -> list[Any]:
    if not _present(d, key):
        if needed:
            required(d, key, path)
        return []
    if not isinstance(d[key], list):
        where = _join(path, key)
        raise InputError(f"« {where} » doit être une liste.", where)
    return d[key]


# --- situation ------------------------------------------------------------------------------


def scheme_code(d: dict[str, Any]) -> str:
    code = required(d, "scheme", "")
    if not isinstance(code, str) or code not in SCHEMES:
        raise InputError(
            f"Dispositif inconnu : {code!r} (dispositifs : {', '.join(SCHEMES)}).", "scheme"
        )
    return code


def _department(d: dict[str, Any], path: str) -> str | None:
    if not _present(d, "department"):
        return None
    value = d["department"]
    where = _join(path, "department")
    if isinstance(value, int) and not isinstance(value, bool):
        value = f"{value:02d}"
    if not isinstance(value, str) or not _DEPT_RE.match(value.strip().upper()):
        raise InputError(f'« {where} » doit être un code de département ("59", "2A").', where)
    return value.strip().upper()


def _naf(d: dict[str, Any], path: str) -> str | None:
    raw = text(d, "naf", path)
    if not raw:
        return None
    code = normalize_naf(raw)
    if code is None:
        where = _join(path, "naf")
        raise InputError(f'« {where} » doit être un code NAF rév. 2 ("47.71Z" ou "4771Z").', where)
    return code


def parse_applicant(value: Any, path: str) -> Applicant:
    d = obj(value, path)
    holdings = []
    for i, raw in enumerate(listing(d, "holdings", path)):
        hp = _join(_join(path, "holdings"), i)
        h = obj(raw, hp)
        holdings.append(
            Holding(
                share=share(h, "share", hp, Decimal(0)),
                headcount=number(h, "headcount", hp),
                turnover=number(h, "turnover", hp),
                balance_sheet_total=amount(h, "balance_sheet_total", hp, None),
            )
        )
    return Applicant(
        kind=choice(d, "kind", path, KINDS),
        legal_form=text(d, "legal_form", path).upper(),
        naf=_naf(d, path),
        department=_department(d, path),
        created_on=opt_date(d, "created_on", path),
        headcount=number(d, "headcount", path),
        turnover=number(d, "turnover", path),
        balance_sheet_total=amount(d, "balance_sheet_total", path, None),
        registered_rcs=flag(d, "registered_rcs", path, False),
        registered_rm=flag(d, "registered_rm", path, False),
        esus=flag(d, "esus", path, False),
        siae=flag(d, "siae", path, False),
        aci=flag(d, "aci", path, False),
        digital_core=flag(d, "digital_core", path, False),
        in_difficulty=flag(d, "in_difficulty", path, False),
        tax_social_up_to_date=flag(d, "tax_social_up_to_date", path, True),
        market_activity_share=share(d, "market_activity_share", path, Decimal(1)),
        micro_enterprise=flag(d, "micro_enterprise", path, False),
        certified_accounts=flag(d, "certified_accounts", path, True),
        project_certified=flag(d, "project_certified", path, True),
        region_share=share(d, "region_share", path, Decimal(1)),
        holdings=tuple(holdings),
    )


def parse_expense(value: Any, index: int, path: str) -> Expense:
    d = obj(value, path)
    mode = choice(d, "mode", path, MODES, "purchase")
    category = choice(d, "category", path, CATEGORIES)
    device = choice(d, "device", path, DEVICES, "") or None
    return Expense(
        index=index,
        category=category,
        amount=to_amount(required(d, "amount", path), _join(path, "amount")),
        mode=mode,
        months=integer(d, "months", path),
        device=device,
        committed_on=opt_date(d, "committed_on", path),
    )


def parse_project(value: Any, path: str) -> Project:
    d = obj(value, path)
    lp = _join(path, "expenses")
    expenses = tuple(
        parse_expense(raw, i, _join(lp, i))
        for i, raw in enumerate(listing(d, "expenses", path, needed=True))
    )
    return Project(
        expense_basis=choice(d, "expense_basis", path, BASES, "HT"),
        expenses=expenses,
        other_public_funding=number(d, "other_public_funding", path),
    )


def _status(d: dict[str, Any], path: str, awarded: Decimal | None) -> str:
    if _present(d, "status"):
        return choice(d, "status", path, STATUSES)
    if awarded is None:
        return "pending"
    return "awarded" if awarded > 0 else "refused"


def parse_history(value: Any, path: str) -> History:
    d = obj(value, path)
    aids = []
    for i, raw in enumerate(listing(d, "de_minimis", path)):
        ap = _join(_join(path, "de_minimis"), i)
        a = obj(raw, ap)
        aids.append(
            DeMinimisAid(
                granted_on=to_date(required(a, "granted_on", ap), _join(ap, "granted_on")),
                amount=to_amount(required(a, "amount", ap), _join(ap, "amount")),
            )
        )
    apps = []
    for i, raw in enumerate(listing(d, "applications", path)):
        ap = _join(_join(path, "applications"), i)
        a = obj(raw, ap)
        awarded = amount(a, "awarded", ap, None)
        cats = listing(a, "categories", ap)
        for j, c in enumerate(cats):
            if c not in CATEGORIES:
                where = _join(_join(ap, "categories"), j)
                raise InputError(f"« {where} » : catégorie de dépense inconnue {c!r}.", where)
        apps.append(
            PastApplication(
                scheme=scheme_code_at(a, ap),
                filed_on=to_date(required(a, "filed_on", ap), _join(ap, "filed_on")),
                acknowledged_on=opt_date(a, "acknowledged_on", ap),
                awarded=awarded,
                status=_status(a, ap, awarded),
                categories=tuple(cats),
            )
        )
    return History(de_minimis=tuple(aids), applications=tuple(apps))


def scheme_code_at(d: dict[str, Any], path: str) -> str:
    try:
        return scheme_code(d)
    except InputError as exc:
        raise InputError(exc.message, _join(path, "scheme")) from None


def parse_situation(value: Any) -> Situation:
    d = obj(value, "")
    scheme = scheme_code(d)
    filed_on = to_date(required(d, "filed_on", ""), "filed_on")
    applicant = parse_applicant(d.get("applicant") if _present(d, "applicant") else {}, "applicant")
    project = parse_project(d.get("project") if _present(d, "project") else {}, "project")
    history = parse_history(d["history"], "history") if _present(d, "history") else History((), ())
    return Situation(scheme, filed_on, applicant, project, history)


def parse_settle(value: Any) -> SettleRequest:
    d = obj(value, "")
    scheme = scheme_code(d)
    return SettleRequest(
        scheme=scheme,
        filed_on=to_date(required(d, "filed_on", ""), "filed_on"),
        award=to_amount(required(d, "award", ""), "award"),
        planned_base=amount(d, "planned_base", "", None),
        actual_base=amount(d, "actual_base", "", None),
        advance_paid=number(d, "advance_paid", ""),
        expense_basis=choice(d, "expense_basis", "", BASES, "HT"),
        region_share=share(d, "region_share", "", Decimal(1)),
        other_public_funding=number(d, "other_public_funding", ""),
    )
