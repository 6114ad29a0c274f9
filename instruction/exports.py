"""The queue's export files, written row by row (flat memory): CSV lines and a write-only XLSX.

Used by the synchronous export view (instruction/views_queue.py) and by the export jobs that a
Celery worker runs (reporting/exports.py)."""

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from common.spreadsheet import csv_text, xlsx_text
from instruction.queue import EXPORT_COLUMNS
from schemes.core.fmt import cents

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_amount(value) -> str:
    """A number a spreadsheet sums (1234,50: decimal comma, no grouping), rounded like fr_eur."""
    return "" if value is None else format(cents(Decimal(value)), "f").replace(".", ",")


def csv_value(key: str, value) -> str:
    if value is None:
        return ""
    if key == "amount":
        return csv_amount(value)
    if isinstance(value, date | datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float | Decimal):
        return str(value)
    return csv_text(str(value))


class _Echo:
    """A file-like object whose write() hands the line back, for a streamed csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[dict]) -> Iterator[str]:
    """The CSV file line by line (BOM first, semicolons: what French spreadsheets open)."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([label for _, label in EXPORT_COLUMNS])
    for row in rows:
        yield writer.writerow([csv_value(key, row[key]) for key, _ in EXPORT_COLUMNS])


def write_xlsx(rows: Iterable[dict], output) -> None:
    """A write-only workbook (rows go to disk as they come) saved into the file `output`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Dossiers")
    header = []
    for _, label in EXPORT_COLUMNS:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for key, _ in EXPORT_COLUMNS:
            value = row[key]
            cell = WriteOnlyCell(sheet, value=value)
            if key == "amount" and value is not None:
                cell.value = Decimal(value)
                cell.number_format = '#,##0.00" €"'
            elif isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            else:
                xlsx_text(cell)
            cells.append(cell)
        sheet.append(cells)
    workbook.save(output)
