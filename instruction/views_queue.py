"""The agents' queue page and its CSV / XLSX exports."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.enums import Role
from instruction.exports import XLSX_TYPE, csv_lines, write_xlsx
from instruction.models_batch import BatchAction
from instruction.queue import (
    COLUMNS,
    DEFAULT_COLUMNS,
    SORTS,
    TABS,
    Scope,
    export_rows,
    queue_list,
    queue_page,
)
from instruction.selectors import colleagues
from instruction.shaping import cached_saved_filters, clean_query, queue_columns_of


def _scope_for(user) -> Scope:
    """Agents and administrators only; anyone else gets a 403."""
    if not (user.has_role(Role.AGENT) or user.has_role(Role.ADMIN)):
        raise PermissionDenied("La file d'instruction est réservée aux instructeurs de la Région.")
    return Scope.for_user(user)


@login_required
@require_GET
def queue(request):
    scope = _scope_for(request.user)
    chosen = queue_columns_of(request.user, default=DEFAULT_COLUMNS)
    result, page = queue_page(scope=scope, params=request.GET, columns=chosen)
    sort_columns = [
        {
            "key": key,
            "label": SORTS[key][0] if key in SORTS else COLUMNS[key],
            "sortable": key in SORTS,
            "active": key == result.sort,
            "descending": key == result.sort and result.descending,
            # A click on the active column reverses it; on another column, sorts ascending.
            "next": f"-{key}" if key == result.sort and not result.descending else key,
        }
        for key in ["number", *chosen]
    ]
    filters = cached_saved_filters(request.user)
    query = clean_query(request.GET.urlencode())
    for saved in filters:
        saved["current"] = saved["query"] == query
    tabs = [
        {"code": tab.code, "label": tab.label, "count": result.counters[tab.code]} for tab in TABS
    ]
    return render(
        request,
        "instruction/queue.html",
        {
            "filter": result.filterset,
            "tab": result.tab,
            "tab_label": next(t["label"] for t in tabs if t["code"] == result.tab),
            "tabs": tabs,
            "columns": sort_columns,
            "sort_label": SORTS[result.sort][0],
            "descending": result.descending,
            "page_obj": page,
            "region": scope.region,
            "colleagues": colleagues(request.user),
            "column_choices": [
                {"key": key, "label": label, "shown": key in chosen}
                for key, label in COLUMNS.items()
            ],
            "saved_filters": filters,
            "label_choices": result.filterset.form.fields["label"].widget.choices,
            "batch_actions": BatchAction.choices,
        },
    )


def _xlsx_file(rows):
    """The XLSX file in a temporary file (rows written as they come), ready to stream."""
    output = tempfile.TemporaryFile(suffix=".xlsx")
    write_xlsx(rows, output)
    output.seek(0)
    return output


@login_required
@require_GET
def export(request):
    """The filtered list of the current tab, every row, in CSV (streamed) or XLSX.

    CSV is streamed row by row from one query. XLSX is written with openpyxl's write-only mode
    into a temporary file, then streamed: memory stays flat, but the wait grows with the rows and
    gunicorn's timeout (60 s) bounds it. The queue page offers export jobs instead (a Celery
    worker writes the file, with a progress bar: reporting/exports.py); this synchronous
    download stays for scripts and small lists.
    """
    scope = _scope_for(request.user)
    result = queue_list(scope=scope, params=request.GET)
    rows = export_rows(result.queryset)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"dossiers-{result.tab}-{stamp}"
    if request.GET.get("format") == "xlsx":
        return FileResponse(
            _xlsx_file(rows),
            as_attachment=True,
            filename=f"{filename}.xlsx",
            content_type=XLSX_TYPE,
        )
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
