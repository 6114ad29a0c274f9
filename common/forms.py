"""Form fields every app uses for what people type in French."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from common.numbers import NotANumber, format_french_decimal, parse_french_decimal

AMOUNT_EXAMPLE = "7 500,50"


class FrenchDecimalField(forms.DecimalField):
    """A decimal typed the French way: « 7 500 », « 7 500,50 », « 7500,5 € », « 33,5 % ».

    Any kind of space between groups of digits (normal, non-breaking, narrow non-breaking), a
    decimal comma or point and a trailing « € » or « % » are accepted; values are shown in
    French (« 7 500,50 ») in a text input that asks phones for their decimal keypad. The bounds
    (min_value, max_value, decimal places) are those of forms.DecimalField, with French messages.
    """

    widget = forms.TextInput

    def __init__(self, *, example: str = AMOUNT_EXAMPLE, **kwargs):
        kwargs.pop("localize", None)  # the French reading below replaces Django's localisation
        given = kwargs.get("error_messages") or {}
        self.example = example
        super().__init__(**kwargs)
        messages = {
            "invalid": f"Saisissez un nombre en chiffres, par exemple {example}.",
            "min_value": f"Saisissez un nombre supérieur ou égal à {self._fr(self.min_value)}.",
            "max_value": f"Saisissez un nombre inférieur ou égal à {self._fr(self.max_value)}.",
        }
        for code, message in messages.items():
            if code not in given:
                # Validators format their message with %-parameters: a literal % is doubled.
                self.error_messages[code] = message.replace("%", "%%")

    def _fr(self, value) -> str:
        return "" if value is None else format_french_decimal(value, decimal_places=None)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if not isinstance(widget, forms.NumberInput):
            attrs.pop("step", None)
            attrs.pop("min", None)
            attrs.pop("max", None)
            attrs["inputmode"] = "decimal"
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal | int | float):
            return Decimal(str(value))
        try:
            number = parse_french_decimal(value)
        except NotANumber as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
        return number  # finite: parse_french_decimal reads digits only

    def prepare_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return format_french_decimal(value, decimal_places=self.decimal_places)
        return value
