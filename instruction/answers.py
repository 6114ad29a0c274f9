"""The applicant's answers as the applicant read them: the question of the filing form, the value
in French (« Oui » / « Non », 33,5 %, 120 000,00 €), never an internal key or a Python value."""

import re
from decimal import Decimal, InvalidOperation

from django import forms

from applications.forms import QUESTION_FIELDS, SHARE_FIELDS, HoldingForm
from applications.models import Dossier
from applications.questions import report_sections, scheme_questions
from schemes.core.fmt import NBSP, fr_eur, fr_int

UNIT_SUFFIX = re.compile(r"\s*\((?:€|%)\)\s*$")
OTHER_ANSWER = "Autre réponse enregistrée"
HOLDING = "Entreprises partenaires ou liées — entreprise n°"
# How each field of a holding is stored: shares as fractions (0.3000 for 30 %).
HOLDING_SHARES = {"share"}
NOT_ANSWERED = "non renseigné"


def _decimal(value) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def answer_text(name: str, field: forms.Field | None, value) -> str:
    """One stored answer in French, read through the applicant's form field."""
    if value is None or value == "":
        return NOT_ANSWERED
    if isinstance(field, forms.BooleanField) or isinstance(value, bool):
        return "Oui" if value in (True, "true", "True", "1", 1) else "Non"
    number = _decimal(value)
    if number is None:
        return str(value)
    if name in SHARE_FIELDS:
        return f"{fr_int(number * 100)}{NBSP}%"
    if isinstance(field, forms.DecimalField):  # before IntegerField, its parent class
        return fr_eur(number)
    return fr_int(number)


def holding_text(holding: dict) -> str:
    """One linked company, each figure under the label of the applicant's holdings form."""
    fields = HoldingForm.base_fields
    parts = []
    for name, field in fields.items():
        if name not in holding:
            continue
        label = UNIT_SUFFIX.sub("", str(field.label))
        value = holding[name]
        if name in HOLDING_SHARES and _decimal(value) is not None:
            text = f"{fr_int(_decimal(value) * 100)}{NBSP}%"
        else:
            text = answer_text(name, field, value)
        parts.append(f"{label} : {text}")
    return " ; ".join(parts)


def _plain(value) -> str:
    """Any other stored answer, spelled out (never a Python repr)."""
    if isinstance(value, dict):
        return " ; ".join(_plain(v) for v in value.values())
    if isinstance(value, list | tuple):
        return " ; ".join(_plain(v) for v in value) or NOT_ANSWERED
    return answer_text("", None, value)


def answer_rows(dossier: Dossier) -> list[dict]:
    """(question, answer) for each eligibility answer, in the order the applicant was asked."""
    stored = {k: v for k, v in (dossier.answers or {}).items() if k != "confirmed"}
    asked = [name for name in scheme_questions(dossier.scheme) if name in stored]
    extra = [name for name in stored if name not in asked]
    rows = []
    for name in asked + extra:
        if name == "holdings":
            for number, holding in enumerate(stored[name] or [], start=1):
                question = f"{HOLDING}{NBSP}{number}"
                rows.append({"question": question, "answer": holding_text(holding)})
            continue
        if name not in QUESTION_FIELDS:
            rows.append({"question": OTHER_ANSWER, "answer": _plain(stored[name])})
            continue
        field = QUESTION_FIELDS[name]()
        label = UNIT_SUFFIX.sub("", str(field.label))
        rows.append({"question": label, "answer": answer_text(name, field, stored[name])})
    return rows


def report_rows(dossier: Dossier) -> list[dict]:
    """The PDL-IN « rapport de réflexion » under the headings the applicant wrote it."""
    stored = dict(dossier.report or {})
    rows = []
    for key, label in report_sections(dossier.scheme):
        if stored.get(key):
            rows.append({"question": label, "answer": stored.pop(key)})
    rows += [{"question": OTHER_ANSWER, "answer": value} for value in stored.values() if value]
    return rows
