"""What a browser would send from a page: the fields of one of its forms, read from the HTML.

Tests of the filing post exactly what the page they were given contains (and what the user
changed), never a dictionary written by hand: a page that forgets a field, or a view that reads
one the page does not send, shows up.
"""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

from common.numbers import parse_french_decimal

SKIPPED_INPUTS = {"submit", "button", "image", "reset", "file"}


class _FormReader(HTMLParser):
    def __init__(self, wanted, index: int = 0):
        super().__init__(convert_charrefs=True)
        self.wanted = wanted  # callable(attrs) -> bool: the forms to consider
        self.skip = index  # how many of them to pass before the one to read
        self.fields: list[list] = []  # [name, value] in page order
        self.checkboxes: dict[str, str] = {}  # every checkbox of the form, ticked or not
        self.radios: dict[str, list[str]] = {}
        self.buttons: list[tuple[str, str, str]] = []  # (name, value, text)
        self.action = None
        self._in_form = False
        self._done = False
        self._select = None  # [name, first value, selected value]
        self._option = None
        self._textarea = None
        self._button = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self._done and not self._in_form and self.wanted(attrs):
            if self.skip:
                self.skip -= 1
                return
            self._in_form = True
            self.action = attrs.get("action")
            return
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in SKIPPED_INPUTS or not name or "disabled" in attrs:
                return
            value = attrs.get("value")
            if kind == "checkbox":
                self.checkboxes[name] = value if value is not None else "on"
                if "checked" in attrs:
                    self.fields.append([name, self.checkboxes[name]])
            elif kind == "radio":
                self.radios.setdefault(name, []).append(value or "on")
                if "checked" in attrs:
                    self.fields.append([name, value or "on"])
            else:
                self.fields.append([name, value or ""])
        elif tag == "select" and name and "disabled" not in attrs:
            self._select = [name, None, None]
        elif tag == "option" and self._select is not None:
            value = attrs.get("value")
            self._option = [value, "", "selected" in attrs]
        elif tag == "textarea" and name and "disabled" not in attrs:
            self._textarea = [name, ""]
        elif tag == "button":
            self._button = [name or "", attrs.get("value") or "", ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[1] += data
        elif self._textarea is not None:
            self._textarea[1] += data
        elif self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag):
        if not self._in_form:
            return
        if tag == "option" and self._option is not None:
            value, text, selected = self._option
            value = text.strip() if value is None else value
            if self._select[1] is None:
                self._select[1] = value
            if selected and self._select[2] is None:
                self._select[2] = value
            self._option = None
        elif tag == "select" and self._select is not None:
            name, first, selected = self._select
            if selected is not None or first is not None:
                self.fields.append([name, selected if selected is not None else first])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            self.fields.append([name, text[1:] if text.startswith("\n") else text])
            self._textarea = None
        elif tag == "button" and self._button is not None:
            self.buttons.append(tuple(b.strip() for b in self._button))
            self._button = None
        elif tag == "form":
            self._in_form = False
            self._done = True


class Page:
    """One form of a rendered page, as the user sees and changes it."""

    def __init__(self, html: str, *, autosave: bool = True, url: str = "", index: int = 0):
        """The form with data-autosave (a filing step), or else the `index`-th POST form."""
        reader = _FormReader(
            (lambda a: "data-autosave" in a) if autosave else (lambda a: a.get("method") == "post"),
            index,
        )
        reader.feed(html)
        assert reader._done, "no such form on the page"
        self.html = html
        self.url = url
        self.fields: dict[str, str] = {}
        for name, value in reader.fields:
            self.fields[name] = value  # names are unique in these forms
        self.checkboxes = reader.checkboxes
        self.radios = reader.radios
        self.buttons = reader.buttons

    # What the user does -------------------------------------------------------------------
    def set(self, name: str, value: str) -> None:
        assert name in self.fields or name in self.radios, f"no field {name} on the page"
        self.fields[name] = value

    def tick(self, name: str, ticked: bool = True) -> None:
        assert name in self.checkboxes, f"no checkbox {name} on the page"
        if ticked:
            self.fields[name] = self.checkboxes[name]
        else:
            self.fields.pop(name, None)

    def data(self, button: str | None = None) -> dict:
        """The body a browser posts when `button` (a name) is clicked; None: no button (JS)."""
        body = dict(self.fields)
        if button is not None:
            match = [b for b in self.buttons if b[0] == button]
            assert match, f"no button {button} on the page"
            body[button] = match[0][1]
        return body

    def autosave_data(self) -> dict:
        """What static/js/autosave.js posts: new FormData(form) plus save=1."""
        return {**self.fields, "save": "1"}

    def autosaved(self, answer: dict) -> None:
        """What static/js/autosave.js does with the answer: name the lines now stored."""
        for name, value in (answer.get("ids") or {}).items():
            if name in self.fields:
                self.fields[name] = str(value)

    # What the page shows ------------------------------------------------------------------
    def lines(self, prefix: str, key: str) -> list[dict]:
        """The lines of formset `prefix` the page shows as lines: not deleted, not blank.

        A line is blank when its `key` field is empty (the new line the page offers)."""
        total = int(self.fields[f"{prefix}-TOTAL_FORMS"])
        shown = []
        for i in range(total):
            if f"{prefix}-{i}-DELETE" in self.fields:
                continue
            line = {
                name[len(f"{prefix}-{i}-") :]: value
                for name, value in self.fields.items()
                if name.startswith(f"{prefix}-{i}-")
            }
            if (line.get(key) or "").strip():
                shown.append(line)
        return shown

    def line_count(self, prefix: str) -> int:
        return int(self.fields[f"{prefix}-TOTAL_FORMS"])


def amount(text: str) -> Decimal:
    return parse_french_decimal(text)
