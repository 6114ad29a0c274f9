"""Every `<input type="date">` of the portal carries an ISO value, or the browser shows it empty.

A browser sanitises a date input's value: anything but YYYY-MM-DD becomes "" (HTML, "value
sanitization algorithm"). Django's DateInput formats dates the French way (02/12/2026) unless its
`format` says otherwise: the simulator's required « Date de dépôt envisagée » rendered empty and the
visitor saw no result until they found it.
"""

import copy
import importlib
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import django_filters
import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from territories.models import Department

pytestmark = pytest.mark.django_db

PROJECT_APPS = [
    "accounts",
    "organisations",
    "schemes",
    "applications",
    "instruction",
    "payments",
    "reporting",
    "api",
    "portal",
    "common",
]
FORM_MODULES = ["forms", "queue", "filters"]
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _project_modules():
    for app in PROJECT_APPS:
        for name in FORM_MODULES:
            try:
                yield importlib.import_module(f"{app}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.{name}":
                    raise


def _date_fields():
    """(where, field) for every date field of the portal's forms and filter sets."""
    found = []
    for module in _project_modules():
        for obj in vars(module).values():
            if not isinstance(obj, type) or obj.__module__ != module.__name__:
                continue
            fields = {}
            if issubclass(obj, forms.BaseForm):
                fields = obj.base_fields
            elif issubclass(obj, django_filters.FilterSet):
                fields = {name: f.field for name, f in obj.base_filters.items()}
            for name, field in fields.items():
                if isinstance(field, forms.DateField):
                    found.append((f"{obj.__module__}.{obj.__name__}.{name}", field))
    return found


DATE_FIELDS = _date_fields()


def test_the_walk_finds_the_date_fields_of_several_apps():
    where = {name.split(".")[0] for name, _ in DATE_FIELDS}
    assert {"schemes", "applications", "instruction", "payments"} <= where, where


@pytest.mark.parametrize("where,field", DATE_FIELDS, ids=[w for w, _ in DATE_FIELDS])
def test_every_date_input_renders_an_iso_value(where, field):
    field = copy.deepcopy(field)
    field.required = False
    if hasattr(field, "queryset"):
        field.queryset = field.queryset.none()
    form_class = type("OneDate", (forms.Form,), {"day": field})
    for form in (
        form_class(initial={"day": date(2026, 12, 2)}),
        form_class(data={"day": "2026-12-02"}),
    ):
        html = str(form["day"])
        kind = re.search(r'type="([^"]+)"', html).group(1)
        if kind != "date":
            continue
        assert 'value="2026-12-02"' in html, f"{where}: {html}"


def test_date_inputs_written_in_templates_carry_iso_values():
    """Raw `<input type="date" value=...>` in templates format their value as Y-m-d."""
    roots = [Path(settings.BASE_DIR) / "templates"] + [
        Path(settings.BASE_DIR) / app / "templates" for app in PROJECT_APPS
    ]
    offenders = []
    for root in roots:
        for path in root.rglob("*.html"):
            for tag in re.findall(r"<input[^>]*>", path.read_text(encoding="utf-8")):
                if 'type="date"' not in tag or "value=" not in tag:
                    continue
                value = re.search(r'value="([^"]*)"', tag).group(1)
                if not (ISO.fullmatch(value) or re.search(r"date:['\"]Y-m-d['\"]", value)):
                    offenders.append(f"{path}: {tag}")
    assert not offenders, offenders


class _FormDefaults(HTMLParser):
    """What a browser would submit from the page's first form, JavaScript off."""

    def __init__(self):
        super().__init__()
        self.data = {}
        self.date_inputs = {}
        self._select = None
        self._form_done = False
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self._form_done and attrs.get("id") == "simulateur":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            name = attrs.get("name")
            if not name or kind in ("submit", "button"):
                return
            value = attrs.get("value", "")
            if kind == "checkbox":
                if "checked" in attrs:
                    self.data[name] = value or "on"
                return
            if kind == "date":
                self.date_inputs[name] = value
                value = value if ISO.fullmatch(value) else ""  # the browser's sanitisation
            self.data[name] = value
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select:
            # A select submits its selected option, or its first one.
            if "selected" in attrs or self._select not in self.data:
                self.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "form" and self._in_form:
            self._in_form = False
            self._form_done = True


def test_simulator_shows_results_without_javascript_for_the_default_date(client):
    url = reverse("schemes:simulator")
    parser = _FormDefaults()
    parser.feed(client.get(url).content.decode())
    today = timezone.localdate().isoformat()
    assert parser.date_inputs["filed_on"] == today
    # The visitor chooses a département and presses « Calculer mon aide »: nothing else.
    data = dict(parser.data, department=str(Department.objects.get(code="59").pk))
    page = client.post(url, data).content.decode()
    assert "Renseignez le formulaire" not in page
    assert 'id="res-INAC"' in page
    assert "Non éligible" in page or "Éligible" in page
