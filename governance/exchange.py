"""Rules as data outside the portal: a version exported as JSON or YAML (each parameter with its
value, citation and note; the validity dates) and read back, validated like the editor."""

import json
from decimal import Decimal
from typing import Any

import yaml

from schemes import core
from schemes.core.model import InputError, Param, Source
from schemes.core.schema import PARAMETERS, coerce_value, validate_version
from schemes.models import RuleVersion

FORMAT = "aides-numeriques/rule-version/1"
MAX_BYTES = 1_000_000


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def version_document(version: RuleVersion) -> dict:
    rules = version.as_core()
    return {
        "format": FORMAT,
        "scheme": rules.scheme,
        "ident": rules.ident,
        "label": rules.label,
        "valid_from": rules.valid_from.isoformat(),
        "valid_to": rules.valid_to.isoformat() if rules.valid_to else None,
        "status": version.status,
        "demo": version.is_demo,
        "parameters": {
            name: {
                "value": _plain(param.value),
                "source": {"document": param.source.document, "passage": param.source.passage},
                "note": param.note,
            }
            for name, param in rules.parameters.items()
        },
    }


def export_json(version: RuleVersion) -> str:
    return json.dumps(version_document(version), ensure_ascii=False, indent=2)


def export_yaml(version: RuleVersion) -> str:
    return yaml.safe_dump(version_document(version), allow_unicode=True, sort_keys=False)


def read_document(raw: bytes, *, scheme_code: str) -> tuple[core.RuleVersion, bool]:
    """The version a file describes, and whether it says « démonstration »; InputError (French,
    with the field) when the file cannot be read or the rules are not valid."""
    if len(raw) > MAX_BYTES:
        raise InputError("Le fichier dépasse 1 Mo.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("Le fichier doit être du texte encodé en UTF-8.") from None
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError):
        raise InputError("Le fichier n'est ni du JSON ni du YAML lisible.") from None
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict):
        raise InputError("Le fichier ne décrit pas une version des règles (« parameters » manque).")
    if data.get("scheme") != scheme_code:
        raise InputError(
            f"Ce fichier décrit les règles du dispositif « {data.get('scheme')} », pas de "
            f"{scheme_code}."
        )
    valid = coerce_value(PARAMETERS["validity"], data)
    parameters = {}
    for name, entry in data["parameters"].items():
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), dict):
            raise InputError(f"Paramètre « {name} » : valeur et source attendues.", name)
        defn = PARAMETERS.get(name)
        value = entry.get("value") if defn is None else coerce_value(defn, entry.get("value"))
        source = entry["source"]
        parameters[name] = Param(
            value,
            Source(str(source.get("document") or ""), str(source.get("passage") or "")),
            str(entry.get("note") or ""),
        )
    rules = core.RuleVersion(
        scheme=scheme_code,
        ident=str(data.get("ident") or ""),
        valid_from=valid["valid_from"],
        valid_to=valid["valid_to"],
        label=str(data.get("label") or ""),
        parameters=parameters,
    )
    errors = validate_version(rules)
    if errors:
        raise InputError(errors[0].message, errors[0].field)
    return rules, bool(data.get("demo"))
