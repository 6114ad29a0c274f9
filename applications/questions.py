"""Scheme-specific questions of the filing journey: the eligibility answers asked and the sections
of a written report (PDL-IN « rapport de réflexion »). They are the scheme's data
(`Scheme.questions`, `Scheme.report_sections`, filled by a data migration): no scheme is named here.
"""

from schemes.models import Scheme


def _scheme(scheme: Scheme | str) -> Scheme | None:
    if isinstance(scheme, Scheme):
        return scheme
    return Scheme.objects.filter(code=scheme).only("code", "questions", "report_sections").first()


def scheme_questions(scheme: Scheme | str) -> list[str]:
    """The applicant fields (the engine's names) asked at the eligibility step, in order."""
    found = _scheme(scheme)
    return list(found.questions or []) if found is not None else []


def report_sections(scheme: Scheme | str) -> list[tuple[str, str]]:
    """(key, heading) of each section of the scheme's written report; none when it asks none."""
    found = _scheme(scheme)
    return found.report_pairs if found is not None else []
