"""Spreadsheet cells that cannot run as formulas (CSV/formula injection, OWASP).

Text typed by applicants (an organisation's name, an account holder, a label, a reason) goes into
the portal's CSV and XLSX exports. A cell starting with = + - @, a tab or a carriage return is run
as a formula by Excel and LibreOffice when the file is opened. Every CSV and XLSX writer of the
portal passes its text cells through here; numbers and dates are left as they are."""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A text cell prefixed with an apostrophe when it would start a formula; other values as given."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values) -> list:
    return [csv_text(value) for value in values]


def xlsx_text(cell) -> None:
    """Keep a text cell a string in the workbook (openpyxl would store "=..." as a formula)."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
