"""The home page says plainly who should choose INAC and who INESS (they do not combine).

The INAC card said « artisans-commerçants et entreprises de l'ESS » next to the INESS card, for
the ESS: a visitor of the ESS could not tell which to choose. Per the délibération n° 2021.01652,
volet 2 (INESS) is the one meant for ESS structures and neither combines with the other.
"""

import html
import re

import pytest
from django.urls import reverse

from portal.management.commands.seed_demo import Command as SeedDemo

pytestmark = pytest.mark.django_db


def card(page: str, code: str) -> str:
    """The text of the card whose title links to the scheme `code`."""
    link = page.index(f'href="/dispositifs/{code.lower()}/"')
    start = page.rfind("<li", 0, link)
    end = page.index("</li>", link)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start:end])))


@pytest.fixture
def hdf_open(db):
    SeedDemo().extend_expired_schemes()  # INAC and INESS open today (demo call period)


@pytest.mark.parametrize("url", [reverse("portal:home"), reverse("schemes:list")])
def test_inac_and_iness_cards_say_who_chooses_which(client, hdf_open, url):
    page = client.get(url).content.decode()
    inac, iness = card(page, "INAC"), card(page, "INESS")
    assert "entreprises de l'ESS" not in inac.split("Lequel choisir ?")[0]
    assert "artisans et commerçants" in inac
    assert "Choisissez plutôt INESS" in inac
    assert "structures de l'économie sociale et solidaire" in iness
    assert "Choisissez INAC" in iness
    for text in (inac, iness):
        assert "ne se cumulent pas" in text


def test_scheme_pages_say_who_chooses_which(client, hdf_open):
    inac = client.get(reverse("schemes:detail", args=["inac"])).content.decode()
    assert "Lequel choisir ?" in inac and "Choisissez plutôt INESS" in html.unescape(inac)
    pdl = client.get(reverse("schemes:detail", args=["pdl-in"])).content.decode()
    assert "Lequel choisir ?" not in pdl
