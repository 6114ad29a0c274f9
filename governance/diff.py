"""The difference between a draft and the version in force, parameter by parameter."""

from dataclasses import dataclass

from schemes import core
from schemes.core.schema import PARAMETERS, display_value


@dataclass(frozen=True)
class DiffRow:
    name: str
    label: str
    old: str
    new: str
    old_source: str
    new_source: str
    reason: str
    value_changed: bool


def version_diff(
    before: core.RuleVersion | None, after: core.RuleVersion, reasons: dict
) -> list[DiffRow]:
    rows = []
    for name, defn in PARAMETERS.items():
        new = after.parameters.get(name)
        old = before.parameters.get(name) if before else None
        if new is None:
            continue
        if old is not None and old.value == new.value and old.source == new.source:
            continue
        if name == "validity":
            continue  # the version's own dates, shown apart
        rows.append(
            DiffRow(
                name=name,
                label=defn.label,
                old=display_value(defn, old.value, after.scheme) if old else "—",
                new=display_value(defn, new.value, after.scheme),
                old_source=old.source.cite() if old else "—",
                new_source=new.source.cite(),
                reason=str(reasons.get(name, "")),
                value_changed=old is None or old.value != new.value,
            )
        )
    return rows
