"""Every reason the engine gives cites a passage of the scheme it explains.

The engine runs on many situations per scheme (tests/schemes/situations.py) and on payment
requests; for every reason, the cited document must be one of that scheme's texts (or a
regulation the scheme's rules apply), a Hauts-de-France citation must name the scheme's own
volet of the deliberation, a Pays de la Loire citation the FAQ question it quotes, and every
passage quoted between « » must be in that text (whitespace, apostrophes and elisions aside).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from schemes.core import SCHEMES, default_versions, settle, simulate
from schemes.core.catalog import CONTRACT, DELIB, PDL_FAQ

from .situations import settle_requests, situations

# The shared folder beside the repository (as laid out for development and CI).
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
VERSIONS = default_versions()
# Reasons that no scheme text gives: the engine's own (nothing left to pay; a date for which the
# portal stores no rules at all). They cite the contract of the engine, never a scheme's text.
ENGINE_REASONS = {"no_aid"}
VOLET = {"INAC": "1)", "INESS": "2)"}


def _norm(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u00a0", " ").replace("\uf0b7", " ")
    text = text.replace("**", "").replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


@cache
def _seed(name: str) -> str:
    return _norm((SEEDS / name).read_text(encoding="utf-8"))


@cache
def _delib_volet(prefix: str) -> str:
    text = _seed(DELIB)
    start = text.index("2) Volet destiné")
    return text[:start] if prefix == "1)" else text[start:]


@cache
def _faq_questions() -> dict[int, str]:
    raw = (SEEDS / PDL_FAQ).read_text(encoding="utf-8")
    body = raw[raw.index("## L'éligibilité de mon dossier") :]
    parts = re.split(r"^(?:#+\s*)?(\d+)\.\s", body, flags=re.M)
    return {int(parts[i]): _norm(parts[i + 1]) for i in range(1, len(parts) - 1, 2)}


def _quotes(passage: str) -> list[str]:
    """Top-level « ... » quotes (a quote may hold nested « »)."""
    out, depth, current = [], 0, []
    for ch in passage:
        if ch == "«":
            depth += 1
            if depth == 1:
                current = []
                continue
        elif ch == "»":
            depth -= 1
            if depth == 0:
                out.append("".join(current))
                continue
        if depth >= 1:
            current.append(ch)
    return out


def _fragments(quote: str) -> list[str]:
    """The pieces of a quote around its elisions (« ... », « … », « [...] »)."""
    pieces = re.split(r"\[\.\.\.\]|\.\.\.|…", _norm(quote))
    return [p.strip(" ,;()") for p in pieces if p.strip(" ,;().")]


def _allowed_documents(scheme: str) -> set[str]:
    allowed = set(SCHEMES[scheme].documents)
    for v in VERSIONS:
        if v.scheme == scheme:
            for param in v.parameters.values():
                allowed |= {d.strip() for d in param.source.document.split(";")}
                if isinstance(param.value, list):
                    allowed |= {
                        x["regulation"]
                        for x in param.value
                        if isinstance(x, dict) and "regulation" in x
                    }
    return allowed


def check_citation(scheme: str, code: str, cite: str) -> None:
    document, _, passage = cite.partition(", ")
    if code in ENGINE_REASONS:
        assert document == CONTRACT, (code, cite)
        return
    assert document in _allowed_documents(scheme), (scheme, code, cite)
    if document == DELIB:
        volet = VOLET[scheme]
        assert passage.startswith(volet), (scheme, code, f"must name volet {volet}", cite)
        where = _delib_volet(volet)
    elif document == PDL_FAQ:
        numbers = [int(n) for n in re.findall(r"\d+", passage.split("«")[0])]
        assert numbers, (code, "a FAQ citation names its question", cite)
        questions = _faq_questions()
        where = " ".join(questions[n] for n in numbers)
    elif (SEEDS / document).exists():
        where = _seed(document)
    else:
        return  # a regulation: not among the seed texts
    for quote in _quotes(passage):
        for fragment in _fragments(quote):
            assert fragment in where, (scheme, code, fragment, cite)


def _all_reasons(scheme: str) -> list[tuple[str, str, str]]:
    found = []
    for s in situations(scheme):
        for r in simulate(s, VERSIONS)["reasons"]:
            found.append((r["code"], r["source"], r["message"]))
    for request in settle_requests(scheme):
        for r in settle(request, VERSIONS)["reasons"]:
            found.append((r["code"], r["source"], r["message"]))
    return found


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_every_reason_cites_a_passage_of_its_scheme(scheme: str) -> None:
    reasons = _all_reasons(scheme)
    assert len({code for code, _, _ in reasons}) >= 12, "the situations reach too few rules"
    for code, cite, _ in set(reasons):
        check_citation(scheme, code, cite)


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_every_check_cites_a_passage_of_its_scheme(scheme: str) -> None:
    for s in situations(scheme):
        for check in simulate(s, VERSIONS)["checks"]:
            check_citation(scheme, check["code"], check["source"])


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_messages_are_clean_french(scheme: str) -> None:
    for code, _, message in set(_all_reasons(scheme)):
        assert "((" not in message and "))" not in message, (code, message)
        assert "None" not in message and "{" not in message, (code, message)
        assert "reliquat de 0,00" not in message, (code, message)


def test_the_checker_rejects_a_wrong_citation() -> None:
    wrong_volet = f"{DELIB}, 1) volet artisans-commerçants : « < 2 M€ de CA »"
    with pytest.raises(AssertionError):
        check_citation("INESS", "turnover_too_high", wrong_volet)
    with pytest.raises(AssertionError):
        check_citation("PDL-IN", "leasing_excluded", f"{DELIB}, 1) « Exclusions »")
    with pytest.raises(AssertionError):
        check_citation(
            "PDL-IN", "final_prorated", f"{PDL_FAQ}, question 37 : « Le taux d'aide est de 60% »"
        )
    with pytest.raises(AssertionError):  # the sentence is in question 10, not 37
        check_citation(
            "PDL-IN",
            "final_prorated",
            f"{PDL_FAQ}, question 37 : « Le taux d'aide est de 50% des coûts éligibles »",
        )
    check_citation(
        "INESS",
        "aci_excluded",
        f"{DELIB}, 2) volet INESS, « Exclusions » : « Structures agréées ACI »",
    )


@pytest.mark.parametrize("version", VERSIONS, ids=lambda v: v.ident)
def test_every_parameter_quoting_its_text_quotes_it_truly(version) -> None:
    """A parameter whose passage quotes the text (« ... ») quotes its own scheme's text, in its
    own volet or FAQ question; a passage without quotes says the text is silent."""
    for name, param in version.parameters.items():
        if "«" in param.source.passage and not param.source.document.startswith("Règlement"):
            check_citation(version.scheme, name, param.source.cite())
