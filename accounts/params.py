"""Parsing of ids and years read from a request: one place, no server error on a hostile value.

`str.isdigit()` is not enough (it accepts « ² », which `int()` refuses, and Arabic-Indic digits),
and an integer past a bigint fails on PostgreSQL. Views read ids with these helpers; a bad value
is a 400 (`BadRequest`, rendered by the portal's French 400 page) or simply no object.
"""

from django.core.exceptions import BadRequest
from django.http import Http404

BIGINT_MAX = 2**63 - 1
ID_MESSAGE = "Identifiant invalide : un nombre entier positif est attendu."


def parse_int(value, *, minimum: int = 0, maximum: int = BIGINT_MAX) -> int | None:
    """The whole number written in `value` (ASCII digits only) within the bounds, else None."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def parse_id(value) -> int | None:
    """The id written in `value` (1 to 2**63 - 1, the range of a bigint), else None."""
    return parse_int(value, minimum=1)


def ids_or_400(values) -> list[int]:
    """Every id of a list of form values; one that is not an id is a 400 with a French message."""
    ids = [parse_id(value) for value in values]
    if any(number is None for number in ids):
        raise BadRequest(ID_MESSAGE)
    return ids


def id_or_none(value) -> int | None:
    """An optional id (empty means none); anything else than an id is a 400."""
    if value in (None, ""):
        return None
    number = parse_id(value)
    if number is None:
        raise BadRequest(ID_MESSAGE)
    return number


def year_or_404(year: int, *, first: int = 2000, last: int = 2100) -> int:
    """A year from the URL within the years the portal has data for; 404 otherwise."""
    if not first <= year <= last:
        raise Http404("Année inconnue.")
    return year
