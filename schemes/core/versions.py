"""Default rule versions from the seed texts, and selection of the version in force."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .catalog import CONTRACT
from .model import RuleVersion, Source
from .params_hdf import inac_version, iness_version
from .params_idf import idf_version
from .params_pdl import pdl_version


def default_versions() -> list[RuleVersion]:
    """The versions encoded from the seed texts (a fresh list on each call)."""
    return [inac_version(), iness_version(), pdl_version(), idf_version()]


def select_version(versions: Sequence[RuleVersion], scheme: str, day: date) -> RuleVersion | None:
    """The version of `scheme` in force for a dossier filed on `day` (latest start wins)."""
    candidates = [v for v in versions if v.scheme == scheme and v.covers(day)]
    return max(candidates, key=lambda v: v.valid_from) if candidates else None


def validity_source(versions: Sequence[RuleVersion], scheme: str) -> Source:
    """What says when `scheme`'s rules apply: the validity passage of its own text (the latest
    version stored), or the engine's contract when no version of it is stored at all."""
    own = [v for v in versions if v.scheme == scheme]
    if not own:
        return Source(CONTRACT, "section 2, champ « filed_on »")
    return max(own, key=lambda v: v.valid_from).source("validity")
