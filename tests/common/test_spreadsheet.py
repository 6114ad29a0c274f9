"""Text typed by applicants cannot run as a formula in the portal's CSV and XLSX exports."""

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from instruction.exports import csv_lines, write_xlsx
from instruction.queue import EXPORT_COLUMNS
from payments.batches import COLUMNS, render_csv, render_xlsx

HOSTILE = '=HYPERLINK("http://evil.example","Cliquez")'


def _queue_row(**values):
    row = dict.fromkeys((key for key, _ in EXPORT_COLUMNS), "")
    row.update(number="AN-2026-0001", submitted_on=date(2026, 11, 22), amount=Decimal("1234.5"))
    row.update(values)
    return row


def _payment_row(name: str) -> list:
    return ["12345678900011", name, "1 rue A", "FR7630006000011234567890189", "AGRIFRPP", Decimal("1500"),
            "IDF-CN2", "", "", "Solde", "AN-2026-0001"]  # fmt: skip


def test_queue_csv_neutralises_text_starting_a_formula_and_keeps_numbers_and_dates():
    rows = [
        _queue_row(organisation_name=HOSTILE, overdue_reason="+33 1 23", label_names="@SUM(A1)")
    ]
    lines = list(csv.reader("".join(csv_lines(rows)).lstrip("\ufeff").splitlines(), delimiter=";"))
    record = dict(zip([key for key, _ in EXPORT_COLUMNS], lines[1], strict=True))
    assert record["organisation_name"] == "'" + HOSTILE
    assert record["overdue_reason"] == "'+33 1 23"
    assert record["label_names"] == "'@SUM(A1)"
    assert record["amount"] == "1234,50"
    assert record["submitted_on"] == "22/11/2026"


def test_queue_xlsx_writes_formula_like_text_as_a_string():
    output = io.BytesIO()
    write_xlsx([_queue_row(organisation_name=HOSTILE)], output)
    output.seek(0)
    cell = load_workbook(output)["Dossiers"]["B2"]
    assert cell.data_type == "s"
    assert cell.value == HOSTILE
    assert load_workbook(output)["Dossiers"]["H2"].value == 1234.5


def test_payment_batch_files_neutralise_the_account_holder_name():
    text = render_csv([_payment_row("-2+3+cmd|' /C calc'!A0")]).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text), delimiter=";"))[1]
    assert row[COLUMNS.index("Nom")] == "'-2+3+cmd|' /C calc'!A0"
    assert row[COLUMNS.index("Montant")] == "1500,00"
    sheet = load_workbook(io.BytesIO(render_xlsx([_payment_row(HOSTILE)], title="Lot"))).active
    assert sheet["B2"].data_type == "s"
    assert sheet["B2"].value == HOSTILE
