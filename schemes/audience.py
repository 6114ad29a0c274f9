"""Who each scheme is for, in plain words, where two schemes of a region overlap.

For example the Hauts-de-France délibération n° 2021.01652 has two volets that do not combine:
a visitor reads, next to each, which one to choose. The words are the scheme's data
(`Scheme.audience_summary`, `Scheme.audience_choose`), set by a data migration or the admin.
"""

from dataclasses import dataclass

from schemes.models import Scheme


@dataclass(frozen=True)
class Audience:
    summary: str  # replaces the scheme's summary where a person chooses a scheme
    choose: str  # who should choose it, and what to choose otherwise


def audience_of(scheme: Scheme | str) -> Audience | None:
    if not isinstance(scheme, Scheme):
        scheme = Scheme.objects.filter(code=scheme).first()
    if scheme is None or not (scheme.audience_summary or scheme.audience_choose):
        return None
    return Audience(summary=scheme.audience_summary, choose=scheme.audience_choose)
