"""The typed editor of a rule version, generated from the core's parameter definitions
(schemes/core/schema.py): one widget per kind, the current citation of each parameter, and for
each changed parameter its new citation and a reason. Nothing here is written per scheme."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms

from common.forms import FrenchDecimalField
from schemes import core
from schemes.core.fmt import fr_date
from schemes.core.model import InputError, Param, Source
from schemes.core.schema import (
    AMOUNT,
    BOOLEAN,
    CHOICE,
    CHOICES,
    CODES,
    DATE,
    INTEGER,
    NAF_FAMILIES,
    NUMBER,
    PARAMETERS,
    RATE,
    TABLE,
    TEXT,
    TIERS,
    VALIDITY,
    Column,
    ParamDef,
    coerce_value,
    definitions_by_group,
    display_value,
    naf_codes,
    validate_version,
)
from schemes.models import RuleVersion

TIER_COLUMNS = (Column("from", "À partir de (€)", AMOUNT), Column("award", "Aide (€)", AMOUNT))
BOOLEAN_CHOICES = [("true", "Oui"), ("false", "Non")]
NOT_PROVIDED = ("", "Non prévu par le texte")
EXTRA_ROWS = 2


def _fr_decimal(value: Decimal) -> str:
    text = f"{value:,.2f}".replace(",", " ").replace(".", ",")
    return text[:-3] if text.endswith(",00") else text


def _columns(defn: ParamDef) -> tuple[Column, ...]:
    return TIER_COLUMNS if defn.kind == TIERS else defn.columns


def _cell_text(col: Column, value: Any) -> str:
    if value is None:
        return ""
    if col.kind == AMOUNT:
        return _fr_decimal(value)
    if col.kind == DATE:
        return fr_date(value)
    return str(value)


def initial_text(defn: ParamDef, value: Any) -> Any:
    """The value as the editor's widget shows it (French numbers, rates in %)."""
    if value is None:
        return [] if defn.kind in (CHOICES, NAF_FAMILIES) else ""
    if defn.kind == AMOUNT:
        return _fr_decimal(value)
    if defn.kind == RATE:
        return _fr_decimal(value * 100)
    if defn.kind in (NUMBER, INTEGER):
        return str(value)
    if defn.kind == BOOLEAN:
        return "true" if value else "false"
    if defn.kind == DATE:
        return value.isoformat()
    if defn.kind == CODES:
        return ", ".join(value)
    return value


@dataclass
class Block:
    """One parameter in the editor: its widget(s), its citation fields, what was in force."""

    defn: ParamDef
    widget: Any = None
    rows: list = field(default_factory=list)
    columns: tuple = ()
    rows_field: Any = None
    document: Any = None
    passage: Any = None
    reason: Any = None
    in_force: str = ""
    in_force_source: str = ""
    naf: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.defn.name


class VersionEditorForm(forms.Form):
    label = forms.CharField(label="Libellé de la version", max_length=200)
    valid_from = forms.DateField(
        label="Dossiers déposés à partir du",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_to = forms.DateField(
        label="Jusqu'au (facultatif)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Vide : sans date de fin.",
    )
    is_demo = forms.BooleanField(
        label="Version de démonstration, sans base juridique",
        required=False,
        help_text="À ne cocher que pour essayer le portail : la version sera signalée partout.",
    )

    def __init__(self, data=None, *, version: RuleVersion, base: core.RuleVersion | None):
        super().__init__(data, label_suffix="")
        self.version = version
        self.base = base
        self.current = version.as_core()
        self.reasons_initial = version.change_reasons or {}
        self.fields["label"].initial = version.label
        self.fields["valid_from"].initial = version.valid_from
        self.fields["valid_to"].initial = version.valid_to
        self.fields["is_demo"].initial = version.is_demo
        self.row_counts: dict[str, int] = {}
        for defn in PARAMETERS.values():
            self._add_fields(defn)

    # --- Fields -------------------------------------------------------------------------------

    def _add_fields(self, defn: ParamDef) -> None:
        name = defn.name
        param = self.current.parameters.get(name)
        value = param.value if param else None
        scheme = self.version.scheme.code
        if defn.kind in (TIERS, TABLE):
            rows = list(value or [])
            count = len(rows) + EXTRA_ROWS
            if self.data:
                try:
                    count = max(1, min(60, int(self.data.get(f"p_{name}__rows", count))))
                except ValueError:
                    pass
                if self.data.get("add_row") == name:
                    count += 1
            self.row_counts[name] = count
            self.fields[f"p_{name}__rows"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=count, required=False
            )
            for i in range(count):
                row = rows[i] if i < len(rows) else {}
                for col in _columns(defn):
                    key = f"p_{name}__{i}__{col.name}"
                    if col.kind == CHOICE:
                        choices = [("", "—"), *(col.choices or {}).items()]
                        self.fields[key] = forms.ChoiceField(
                            label=f"{defn.label}, ligne {i + 1}, {col.label}",
                            choices=choices,
                            required=False,
                            initial=row.get(col.name) or "",
                        )
                    else:
                        self.fields[key] = forms.CharField(
                            label=f"{defn.label}, ligne {i + 1}, {col.label}",
                            required=False,
                            initial=_cell_text(col, row.get(col.name)),
                            widget=forms.TextInput(
                                attrs={"inputmode": "decimal"} if col.kind == AMOUNT else {}
                            ),
                        )
        elif defn.kind != VALIDITY:
            self.fields[f"p_{name}"] = self._value_field(defn, scheme, value)
        source = param.source if param else Source("", "")
        self.fields[f"c_{name}__document"] = forms.CharField(
            label=f"Texte cité ({defn.label})",
            required=False,
            max_length=300,
            initial=source.document,
        )
        self.fields[f"c_{name}__passage"] = forms.CharField(
            label=f"Passage cité ({defn.label})",
            required=False,
            max_length=2000,
            initial=source.passage,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.fields[f"r_{name}"] = forms.CharField(
            label=f"Raison du changement ({defn.label})",
            required=False,
            max_length=1000,
            initial=self.reasons_initial.get(name, ""),
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def _value_field(self, defn: ParamDef, scheme: str, value: Any) -> forms.Field:
        label = defn.label
        initial = initial_text(defn, value)
        common = {"label": label, "required": False, "initial": initial, "help_text": defn.help}
        if defn.kind == BOOLEAN:
            choices = [*BOOLEAN_CHOICES, NOT_PROVIDED] if defn.optional else BOOLEAN_CHOICES
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        if defn.kind == CHOICE:
            choices = list(defn.choices_for(scheme).items())
            if defn.optional:
                choices.append(NOT_PROVIDED)
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        if defn.kind in (CHOICES, NAF_FAMILIES):
            return forms.MultipleChoiceField(
                choices=list(defn.choices_for(scheme).items()),
                widget=forms.CheckboxSelectMultiple,
                **common,
            )
        if defn.kind == DATE:
            return forms.CharField(
                widget=forms.DateInput(attrs={"type": "date"}),
                **common,
            )
        if defn.kind == TEXT:
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common)
        if defn.kind == CODES:
            common["help_text"] = "Codes séparés par des virgules, par exemple : SARL, SAS."
            return forms.CharField(**common)
        suffix = {AMOUNT: "€", RATE: "%"}.get(defn.kind, "")
        if suffix:
            common["label"] = f"{label} ({suffix})"
        attrs = {"inputmode": "decimal" if defn.kind != INTEGER else "numeric"}
        if defn.optional and not defn.help:
            common["help_text"] = "Vide : le texte ne prévoit pas cette règle."
        return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)

    # --- Reading the page ---------------------------------------------------------------------

    def _read(self, defn: ParamDef) -> Any:
        name = defn.name
        if defn.kind == VALIDITY:
            return {
                "valid_from": self.cleaned_data.get("valid_from"),
                "valid_to": self.cleaned_data.get("valid_to"),
            }
        if defn.kind in (TIERS, TABLE):
            rows = []
            for i in range(self.row_counts[name]):
                cells = {
                    col.name: (self.cleaned_data.get(f"p_{name}__{i}__{col.name}") or "").strip()
                    for col in _columns(defn)
                }
                if any(cells.values()):
                    rows.append({k: v for k, v in cells.items() if v})
            if not rows and defn.optional:
                return None
            return coerce_value(defn, rows)
        raw = self.cleaned_data.get(f"p_{name}")
        if defn.kind == BOOLEAN:
            return {"true": True, "false": False}.get(raw)
        if defn.kind == CHOICE:
            return raw or None
        if defn.kind in (CHOICES, NAF_FAMILIES):
            return list(raw or [])
        if defn.kind == CODES:
            codes = [c.strip() for c in (raw or "").split(",") if c.strip()]
            return codes or None
        if defn.kind == TEXT:
            return raw or ""
        value = coerce_value(defn, raw)
        if defn.kind == RATE and value is not None:
            value = value / 100
        return value

    def _field_for(self, path: str | None) -> str | None:
        if not path:
            return None
        if path in ("valid_to", "valid_from", "label"):
            return path
        name, _, rest = path.partition(".")
        defn = PARAMETERS.get(name)
        if defn is None:
            return None
        if rest == "source":
            return f"c_{name}__passage"
        if defn.kind in (TIERS, TABLE):
            row = int(rest) - 1 if rest.isdigit() else 0
            return f"p_{name}__{max(0, row)}__{_columns(defn)[0].name}"
        if defn.kind == VALIDITY:
            return "valid_from"
        return f"p_{name}"

    def _error(self, path: str | None, message: str) -> None:
        target = self._field_for(path)
        self.add_error(target if target in self.fields else None, message)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        parameters: dict[str, Param] = {}
        reasons: dict[str, str] = {}
        for defn in PARAMETERS.values():
            name = defn.name
            try:
                value = self._read(defn)
            except InputError as exc:
                self._error(exc.field or name, exc.message)
                continue
            source = Source(
                (cleaned.get(f"c_{name}__document") or "").strip(),
                (cleaned.get(f"c_{name}__passage") or "").strip(),
            )
            previous = self.current.parameters.get(name)
            parameters[name] = Param(value, source, previous.note if previous else "")
            reason = (cleaned.get(f"r_{name}") or "").strip()
            old = self.base.parameters.get(name) if self.base else None
            if defn.kind == VALIDITY or old is None or old.value == value:
                continue
            if not reason:
                self.add_error(f"r_{name}", f"{defn.label} : indiquez la raison de ce changement.")
            if not source.document or not source.passage or source == old.source:
                self.add_error(
                    f"c_{name}__passage",
                    f"{defn.label} : citez le texte et le passage qui fondent la nouvelle valeur.",
                )
            reasons[name] = reason
        if self.errors:
            return cleaned
        draft = core.RuleVersion(
            scheme=self.version.scheme.code,
            ident=self.version.ident,
            valid_from=cleaned["valid_from"],
            valid_to=cleaned.get("valid_to"),
            label=cleaned["label"],
            parameters=parameters,
        )
        for error in validate_version(draft):
            self._error(error.field, error.message)
        self.parameters = {name: param.to_json() for name, param in parameters.items()}
        self.reasons = reasons
        return cleaned

    # --- Rendering ----------------------------------------------------------------------------

    def groups(self) -> list[tuple[str, list[Block]]]:
        scheme = self.version.scheme.code
        out = []
        for group, defs in definitions_by_group():
            blocks = []
            for defn in defs:
                name = defn.name
                old = self.base.parameters.get(name) if self.base else None
                block = Block(
                    defn=defn,
                    document=self[f"c_{name}__document"],
                    passage=self[f"c_{name}__passage"],
                    reason=self[f"r_{name}"],
                    in_force=display_value(defn, old.value, scheme) if old else "—",
                    in_force_source=old.source.cite() if old else "",
                )
                if defn.kind in (TIERS, TABLE):
                    block.columns = _columns(defn)
                    block.rows_field = self[f"p_{name}__rows"]
                    block.rows = [
                        [self[f"p_{name}__{i}__{col.name}"] for col in block.columns]
                        for i in range(self.row_counts[name])
                    ]
                elif defn.kind != VALIDITY:
                    block.widget = self[f"p_{name}"]
                if defn.kind == NAF_FAMILIES:
                    chosen = set(block.widget.value() or [])
                    block.naf = [
                        {
                            "code": code,
                            "label": label,
                            "codes": naf_codes(code),
                            "checked": code in chosen,
                            "id": f"id_p_{name}_{i}",
                        }
                        for i, (code, label) in enumerate(defn.choices_for(scheme).items())
                    ]
                blocks.append(block)
            out.append((group, blocks))
        return out


class ExpectationForm(forms.Form):
    """Adopt the draft's result as a golden case's new expectation, with a reason."""

    case = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Raison du nouveau résultat attendu",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Raison du retrait", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


class GoldenCaseForm(forms.Form):
    name = forms.CharField(label="Intitulé", max_length=200)
    document = forms.CharField(label="Texte cité", max_length=200, required=False)
    passage = forms.CharField(label="Passage cité", max_length=500, required=False)
    situation = forms.CharField(
        label="Situation (format du simulateur, JSON)",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Les champs du contrat de simulation : demandeur, projet, historique.",
    )
    eligible = forms.TypedChoiceField(
        label="Éligible attendu",
        choices=[("", "Non vérifié"), ("true", "Oui"), ("false", "Non")],
        coerce=lambda v: v == "true",
        empty_value=None,
        required=False,
    )
    amount = FrenchDecimalField(
        label="Montant attendu en € (aide, ou aide finale pour un versement)",
        required=False,
        min_value=0,
        decimal_places=2,
    )
    reason = forms.CharField(
        label="Raison du changement du résultat attendu",
        max_length=500,
        required=False,
        help_text="Obligatoire pour modifier le résultat attendu d'un cas existant.",
    )

    def clean_situation(self):
        from schemes.engine import parse_json

        try:
            data = parse_json(self.cleaned_data["situation"])
        except core.InputError as exc:
            raise forms.ValidationError(exc.message) from exc
        if not isinstance(data, dict):
            raise forms.ValidationError("La situation doit être un objet JSON.")
        return data


class ImportForm(forms.Form):
    document = forms.FileField(
        label="Fichier de la version (JSON ou YAML)",
        help_text="Un fichier exporté depuis cette page, 1 Mo au plus.",
    )
