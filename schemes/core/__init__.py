"""Rules core of the « Aides numériques » portal: pure functions over dataclasses.

No Django, no ORM, no clock, no I/O. The portal calls `simulate` and `settle` with parsed JSON
and, optionally, the rule versions it stores; the core calls nothing of the portal.
"""

from __future__ import annotations

from .catalog import CATEGORIES, DEVICES, KINDS, MODES, SCHEMES
from .checks import CHECKS
from .documents import required_documents
from .model import InputError, Param, RuleVersion, SchemeInfo, Source
from .naf import NAF_TABLE, normalize_naf
from .reasons import REASONS
from .render import render_rules_markdown
from .settle import settle
from .simulate import simulate
from .versions import default_versions, select_version

__all__ = [
    "CATEGORIES",
    "CHECKS",
    "DEVICES",
    "KINDS",
    "MODES",
    "NAF_TABLE",
    "REASONS",
    "SCHEMES",
    "InputError",
    "Param",
    "RuleVersion",
    "SchemeInfo",
    "Source",
    "default_versions",
    "normalize_naf",
    "render_rules_markdown",
    "required_documents",
    "select_version",
    "settle",
    "simulate",
]
