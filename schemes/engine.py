"""The portal's doors to the rules core: JSON in, JSON out, versions read from the database."""

import json
from decimal import Decimal
from typing import Any

from schemes import core
from schemes.selectors import rule_versions


def parse_json(raw: str | bytes) -> Any:
    """Parse a JSON body with exact decimals; bad JSON becomes a French InputError."""
    try:
        return json.loads(raw, parse_float=Decimal)
    except UnicodeDecodeError as exc:
        raise core.InputError("Le contenu doit être du texte JSON encodé en UTF-8.") from exc
    except RecursionError as exc:
        raise core.InputError("Le contenu JSON est trop profondément imbriqué.") from exc
    except json.JSONDecodeError as exc:
        raise core.InputError(
            f"Le contenu n'est pas du JSON valide (ligne {exc.lineno}, colonne {exc.colno})."
        ) from exc


def simulate(data: Any) -> Any:
    return core.simulate(data, versions=rule_versions())


def settle(data: Any) -> Any:
    return core.settle(data, versions=rule_versions())


def dumps(result: Any) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2, default=str)
