"""French numbers typed by people: « 7 500 », « 7 500,50 », « 7500,5 € », « 33,5 % ».

Pure functions (no Django): the form field in `common.forms` and any view that reads a typed
amount use them, so that an amount is read the same way everywhere.
"""

import re
from decimal import Decimal, InvalidOperation

# Spaces people (and word processors, and number formatters) put between groups of digits:
# normal, non-breaking (U+00A0), narrow non-breaking (U+202F), thin (U+2009), figure (U+2007).
GROUP_SPACES = " \u00a0\u202f\u2009\u2007\t"
UNITS = ("€", "eur", "euros", "euro", "%")
_SPACES = re.compile(f"[{GROUP_SPACES}]")
# Points between groups of three digits: « 7.500,50 » or « 1.500.000 » (never a lone « 1.500 »,
# which may be a decimal point and is read as one).
_GROUPED_DOTS = re.compile(r"^[-+]?\d{1,3}((\.\d{3})+,\d*|(\.\d{3}){2,})$")


class NotANumber(ValueError):
    """The text is not a number written the French (or the plain decimal-point) way."""


def parse_french_decimal(text: str) -> Decimal | None:
    """The Decimal a person meant, or None for an empty text; NotANumber otherwise.

    Accepts a comma or a point as decimal separator, spaces of any kind (or points before a
    decimal comma, « 7.500,50 ») between groups of digits, and a trailing « € » or « % ».
    """
    value = str(text).strip()
    if not value:
        return None
    lowered = value.lower()
    for unit in UNITS:
        if lowered.endswith(unit):
            value = value[: -len(unit)].rstrip()
            break
    value = _SPACES.sub("", value).replace("\u2212", "-")  # U+2212: the typographic minus
    if _GROUPED_DOTS.match(value):
        value = value.replace(".", "")
    if value.count(",") > 1 or ("," in value and "." in value):
        raise NotANumber(text)
    value = value.replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)", value):
        raise NotANumber(text)
    try:
        number = Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above rules it out
        raise NotANumber(text) from exc
    return number


def format_french_decimal(value, *, decimal_places: int | None = 2, grouping: str = " ") -> str:
    """« 7 500 », « 7 500,50 », « 33,33 »: whole numbers without decimals, others with
    `decimal_places` digits (None keeps the value's own digits, trailing zeros removed)."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    elif decimal_places is not None:
        number = number.quantize(Decimal(1).scaleb(-decimal_places))
    else:
        number = number.normalize()
    sign = "-" if number < 0 else ""
    whole, _, decimals = f"{abs(number):f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = sign + grouping.join(groups)
    return f"{text},{decimals}" if decimals else text
