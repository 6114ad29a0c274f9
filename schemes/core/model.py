"""Data types of the rules core: sources, dated parameters, rule versions, input errors.

Pure data: no I/O, no clock, no Django. A `RuleVersion` is what the Django side stores (as JSON)
and hands back to `simulate(..., versions=...)`; its JSON form must round-trip exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


class InputError(Exception):
    """Bad input: `message` in French for a person, `field` the dotted path of the faulty field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def prefixed(self, prefix: str) -> InputError:
        """The same error with its field path prefixed (list inputs: the item index)."""
        path = prefix if self.field is None else f"{prefix}.{self.field}"
        return InputError(self.message, path)

    def to_json(self) -> dict[str, Any]:
        return {"error": self.message, "field": self.field}


@dataclass(frozen=True)
class Source:
    """Where a value or a rule comes from: a seed file name (or a regulation) and a passage."""

    document: str
    passage: str

    def cite(self) -> str:
        return f"{self.document}, {self.passage}"

    def to_json(self) -> dict[str, str]:
        return {"document": self.document, "passage": self.passage}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Source:
        return cls(document=str(d["document"]), passage=str(d["passage"]))


@dataclass(frozen=True)
class Param:
    """A dated value with its citation (OpenFisca style); `note` explains a choice made."""

    value: Any
    source: Source
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        encoded, kind = _encode(self.value)
        return {"value": encoded, "type": kind, "source": self.source.to_json(), "note": self.note}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Param:
        return cls(
            value=_decode(d["value"], d.get("type", "json")),
            source=Source.from_json(d["source"]),
            note=str(d.get("note", "")),
        )


@dataclass(frozen=True)
class RuleVersion:
    """The rules of one scheme for dossiers filed from `valid_from` to `valid_to` (inclusive)."""

    scheme: str
    ident: str
    valid_from: date
    valid_to: date | None
    label: str
    parameters: dict[str, Param] = field(default_factory=dict)

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def value(self, name: str, default: Any = None) -> Any:
        param = self.parameters.get(name)
        return default if param is None else param.value

    def source(self, name: str) -> Source:
        return self.parameters[name].source

    def to_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "ident": self.ident,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": None if self.valid_to is None else self.valid_to.isoformat(),
            "label": self.label,
            "parameters": {name: p.to_json() for name, p in self.parameters.items()},
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RuleVersion:
        valid_to = d.get("valid_to")
        return cls(
            scheme=str(d["scheme"]),
            ident=str(d["ident"]),
            valid_from=date.fromisoformat(d["valid_from"]),
            valid_to=None if valid_to is None else date.fromisoformat(valid_to),
            label=str(d["label"]),
            parameters={name: Param.from_json(p) for name, p in d["parameters"].items()},
        )


@dataclass(frozen=True)
class SchemeInfo:
    """Static description of a scheme, for forms and documentation."""

    code: str
    name: str
    region: str
    applicant_kinds: tuple[str, ...]
    departments: tuple[str, ...]
    description: str
    documents: tuple[str, ...]


# --- exact JSON encoding of parameter values -------------------------------------------------
# Decimals become strings, dates ISO strings; a parallel type descriptor ("decimal", "date",
# "json", {"list": [...]}, {"dict": {...}}) lets from_json rebuild the exact Python values.


def _encode(value: Any) -> tuple[Any, Any]:
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value, "json"
    if isinstance(value, Decimal):
        return str(value), "decimal"
    if isinstance(value, date):
        return value.isoformat(), "date"
    if isinstance(value, list | tuple):
        pairs = [_encode(v) for v in value]
        kinds = [k for _, k in pairs]
        kind: Any = "json" if all(k == "json" for k in kinds) else {"list": kinds}
        if isinstance(value, tuple):
            kind = {"tuple": kinds}
        return [v for v, _ in pairs], kind
    if isinstance(value, dict):
        encoded = {str(k): _encode(v) for k, v in value.items()}
        kinds = {k: kd for k, (_, kd) in encoded.items()}
        kind = "json" if all(k == "json" for k in kinds.values()) else {"dict": kinds}
        return {k: v for k, (v, _) in encoded.items()}, kind
    raise TypeError(f"parameter value not serialisable: {value!r}")


def _decode(value: Any, kind: Any) -> Any:
    if kind == "json":
        return value
    if kind == "decimal":
        return Decimal(value)
    if kind == "date":
        return date.fromisoformat(value)
    if isinstance(kind, dict) and "list" in kind:
        return [_decode(v, k) for v, k in zip(value, kind["list"], strict=True)]
    if isinstance(kind, dict) and "tuple" in kind:
        return tuple(_decode(v, k) for v, k in zip(value, kind["tuple"], strict=True))
    if isinstance(kind, dict) and "dict" in kind:
        return {k: _decode(v, kind["dict"][k]) for k, v in value.items()}
    raise ValueError(f"unknown parameter type: {kind!r}")
