"""Amounts typed the French way are read everywhere an amount is typed (issue 13, defect 8)."""

import importlib
import inspect
import re
from decimal import Decimal

import django_filters
import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from common.forms import FrenchDecimalField
from common.numbers import NotANumber, format_french_decimal, parse_french_decimal

SPACES = {"space": " ", "no-break space": "\u00a0", "narrow no-break space": "\u202f"}
FORM_MODULES = [
    "applications.forms",
    "applications.views_documents",
    "instruction.forms",
    "instruction.queue",
    "payments.forms",
    "payments.views_finance",
    "schemes.forms",
    "organisations.forms",
    "organisations.views",
    "accounts.forms",
]


def _amount_fields():
    """(where, field) for every number field a person types into, in every form of the portal."""
    from applications.forms import QUESTION_FIELDS

    found = [
        (f"applications.forms.QUESTION_FIELDS[{k}]", make()) for k, make in QUESTION_FIELDS.items()
    ]
    for module_name in FORM_MODULES:
        module = importlib.import_module(module_name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module_name:
                continue
            if issubclass(cls, forms.BaseForm):
                fields = cls.base_fields.items()
            elif issubclass(cls, django_filters.FilterSet):
                fields = [(k, f.field) for k, f in cls.base_filters.items()]
            else:
                continue
            found += [(f"{module_name}.{name}.{k}", f) for k, f in fields]
    return [(where, f) for where, f in found if isinstance(f, forms.DecimalField)]


AMOUNT_FIELDS = _amount_fields()


def test_the_portal_has_amount_fields_and_all_read_french():
    assert len(AMOUNT_FIELDS) >= 20, [where for where, _ in AMOUNT_FIELDS]
    plain = [where for where, f in AMOUNT_FIELDS if not isinstance(f, FrenchDecimalField)]
    assert not plain, f"amount fields that refuse « 7 500,50 »: {plain}"


@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
@pytest.mark.parametrize("where, field", AMOUNT_FIELDS, ids=[w for w, _ in AMOUNT_FIELDS])
def test_each_amount_field_accepts_french_grouping(where, field, space):
    big = field.max_value is None or field.max_value >= Decimal("7500.50")
    text, expected = (f"7{space}500,50", Decimal("7500.50")) if big else ("33,50", Decimal("33.5"))
    assert field.clean(text) == expected
    assert field.clean(f"{text} {'€' if big else '%'}") == expected
    if big:
        assert field.clean(f"7{space}500") == Decimal("7500")
        assert field.clean("7500,5") == Decimal("7500.5")


@pytest.mark.parametrize("where, field", AMOUNT_FIELDS, ids=[w for w, _ in AMOUNT_FIELDS])
def test_garbage_gets_a_french_message(where, field):
    with pytest.raises(forms.ValidationError) as exc:
        field.clean("sept mille")
    assert exc.value.messages == [f"Saisissez un nombre en chiffres, par exemple {field.example}."]


@pytest.mark.parametrize("where, field", AMOUNT_FIELDS, ids=[w for w, _ in AMOUNT_FIELDS])
def test_amounts_are_shown_in_french_in_a_decimal_keypad_input(where, field):
    class One(forms.Form):
        pass

    One.base_fields = {"value": field}
    html = str(One(initial={"value": Decimal("7500.5")})["value"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html
    assert 'value="7 500,50"' in html or field.decimal_places != 2


def test_bounds_are_said_in_french():
    field = FrenchDecimalField(min_value=Decimal("0.01"), max_value=Decimal("100"))
    with pytest.raises(forms.ValidationError) as exc:
        field.clean("-3")
    assert exc.value.messages == ["Saisissez un nombre supérieur ou égal à 0,01."]
    with pytest.raises(forms.ValidationError) as exc:
        field.clean("150 %")
    assert exc.value.messages == ["Saisissez un nombre inférieur ou égal à 100."]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("7 500", Decimal("7500")),
        ("7\u00a0500,50", Decimal("7500.50")),
        ("7\u202f500,50\u00a0€", Decimal("7500.50")),
        ("7500,5", Decimal("7500.5")),
        ("7500.50", Decimal("7500.50")),
        ("7.500,50", Decimal("7500.50")),
        ("1.500.000", Decimal("1500000")),
        ("1.5", Decimal("1.5")),
        ("33,5 %", Decimal("33.5")),
        ("  12 EUR ", Decimal("12")),
        ("\u22125", Decimal("-5")),
        ("", None),
    ],
)
def test_parse_french_decimal(text, expected):
    assert parse_french_decimal(text) == expected


@pytest.mark.parametrize(
    "text", ["abc", "1,2,3", "1.234,5.6", "7 500,50 $", "--5", "1e5", "NaN", ","]
)
def test_parse_french_decimal_refuses_what_is_not_a_number(text):
    with pytest.raises(NotANumber):
        parse_french_decimal(text)


@given(
    value=st.decimals(min_value=-(10**9), max_value=10**9, places=2),
    space=st.sampled_from([" ", "\u00a0", "\u202f", ""]),
)
def test_what_is_shown_reads_back_to_the_same_amount(value, space):
    assert parse_french_decimal(format_french_decimal(value, grouping=space)) == value


@pytest.mark.django_db
@pytest.mark.parametrize("space", SPACES.values(), ids=SPACES.keys())
def test_the_public_simulator_reads_french_amounts(client, space):
    """The page's own form, amounts typed the French way: results, no « Saisissez un nombre »."""
    from django.urls import reverse

    from territories.models import Department
    from tests.applications.pages import Page

    url = reverse("schemes:simulator")
    page = Page(client.get(url).content.decode(), autosave=False, url=url)
    page.set("kind", "company")
    page.set("department", str(Department.objects.get(code="59").pk))
    page.set("filed_on", "2022-05-10")
    page.set("turnover", f"380{space}000")
    page.set("expenses-0-category", "ecommerce_site")
    page.set("expenses-0-amount", f"7{space}500,50 €")
    html = client.post(url, page.data()).content.decode()
    assert "Saisissez un nombre" not in html
    # The engine read what was typed: the turnover and the expense, in its explanation.
    assert "Chiffre d&#x27;affaires de 380\u00a0000,00\u00a0€" in html or (
        "Chiffre d&#x27;affaires de 380 000,00 €" in html
    )
    assert re.search(r"7.500,50.€ HT : 7.500,50.€ retenus", html)
