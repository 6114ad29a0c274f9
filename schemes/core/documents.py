"""Required documents of a situation, from the version's `required_documents` parameter."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .eligibility import ess_status
from .inputs import Situation, parse_situation
from .model import InputError, RuleVersion
from .versions import default_versions, select_version

# Condition codes usable in a document's "when".
WHEN: dict[str, tuple[str, Callable[[Situation, RuleVersion], bool]]] = {
    "company": ("le demandeur est une entreprise", lambda s, v: s.applicant.kind == "company"),
    "association": (
        "le demandeur est une association",
        lambda s, v: s.applicant.kind == "association",
    ),
    "ess": (
        "le demandeur relève de l'économie sociale et solidaire",
        lambda s, v: ess_status(s.applicant, v) is not None,
    ),
    "micro_enterprise": (
        "le demandeur est une micro-entreprise",
        lambda s, v: s.applicant.micro_enterprise,
    ),
    "holdings": (
        "le demandeur a des entreprises partenaires ou liées",
        lambda s, v: bool(s.applicant.holdings),
    ),
    "region_share_below_one": (
        "le projet sert aussi un établissement hors région",
        lambda s, v: s.applicant.region_share < 1,
    ),
    "payment": ("à la demande de paiement", lambda s, v: False),
}


def required_documents(
    data: dict, versions: Sequence[RuleVersion] | None = None, *, payment: bool = False
) -> list[dict[str, str]]:
    """Documents the applicant must provide for this situation (with `payment`, those of the
    payment request too). Raises InputError for bad input; [] when no rules are in force."""
    s = parse_situation(data)
    v = select_version(default_versions() if versions is None else versions, s.scheme, s.filed_on)
    if v is None:
        return []
    out = []
    for entry in v.value("required_documents", []):
        when = entry.get("when")
        if when is None or (when == "payment" and payment):
            out.append(dict(entry))
        elif when in WHEN and WHEN[when][1](s, v):
            out.append(dict(entry))
        elif when not in WHEN:
            raise InputError(f"Condition de pièce inconnue : {when!r}.", None)
    return out


def when_label(code: str) -> str:
    return WHEN[code][0] if code in WHEN else code
