"""Public statistics and open data (no login), and the de minimis register export (Region staff).

Machine files (SCDL, register, statistics CSV) use the open-data conventions: UTF-8, comma
separator, point as decimal separator, ISO dates. Pages use the French display formats."""

import csv
import io
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.enums import Role
from accounts.params import year_or_404
from accounts.permissions import regions_for_role, scheme_scope_q
from common.spreadsheet import csv_text
from payments.budget import bar_chart
from reporting import deminimis, scdl
from reporting import statistics as stats
from schemes.templatetags.aides import NBSP

REGISTER_ROLES = (Role.AGENT, Role.FINANCE, Role.SCHEME_MANAGER)


def _csv_response(columns, rows, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: csv_text(value) for key, value in row.items()} for row in rows)
    return _csv(buffer.getvalue(), filename)


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _year(request) -> int | None:
    value = request.GET.get("annee", "").strip()
    return int(value) if re.fullmatch(r"(19|20)\d\d", value) else None


def _days(value) -> str:
    return "—" if value is None else f"{value:f}".replace(".", ",") + f"{NBSP}j"


def _count_chart(items: list[tuple[str, object]], unit) -> dict:
    """bar_chart's geometry with each value's French text (counts, days) for our template."""
    chart = bar_chart([(label, value or 0) for label, value in items])
    for bar_, (_, value) in zip(chart["bars"], items, strict=True):
        bar_["display"] = unit(value)
    return chart


@require_GET
def statistics_page(request):
    year = _year(request)
    regions, overall = stats.statistics(year)
    schemes = [f for region in regions for f in region.schemes]
    charts = {
        "filed": _count_chart([(f.code, f.filed) for f in schemes], str),
        "awarded": _count_chart([(f.code, f.awarded) for f in schemes], str),
        "awarded_amount": bar_chart([(f.code, f.awarded_amount) for f in schemes]),
        "paid_amount": bar_chart([(f.code, f.paid_amount) for f in schemes]),
        "median": _count_chart([(f.code, f.median_days) for f in schemes], _days),
    }
    context = {"regions": regions, "overall": overall, "year": year, "charts": charts}
    return render(request, "reporting/statistics.html", context)


@require_GET
def statistics_csv(request):
    year = _year(request)
    regions, _ = stats.statistics(year)
    name = f"statistiques-aides-numeriques{f'-{year}' if year else ''}.csv"
    return _csv_response(stats.CSV_COLUMNS, stats.csv_rows(regions), name)


@require_GET
def open_data_index(request):
    files = scdl.published_files()
    return render(request, "reporting/open_data.html", {"files": files})


@require_GET
def scdl_csv(request, region: str, year: int):
    if region != region.upper():
        raise Http404("Région inconnue.")
    file = scdl.scdl_file(scdl.region_or_404(region), year_or_404(year))
    return _csv(file.to_csv(), file.filename)


def _register_scope(user, code: str):
    """The region and a filter on its dossiers the user may export; 403 for non-staff, 404 for
    a region outside the user's roles."""
    region = scdl.region_or_404(code)
    if user.has_role(Role.ADMIN):
        return region, Q()
    allowed = {pk for role in REGISTER_ROLES for pk in regions_for_role(user, role)}
    if not allowed:
        raise PermissionDenied("Cet export est réservé aux agents de la Région.")
    if region.pk not in allowed:
        raise Http404("Région inconnue.")
    scope = Q(pk__in=[])
    for role in REGISTER_ROLES:
        scope |= scheme_scope_q(
            user, role, region_field="scheme__region_id", scheme_field="scheme__code"
        )
    return region, scope


@login_required
@require_GET
def register_csv(request, region: str, year: int):
    region_obj, scope = _register_scope(request.user, region)
    rows = deminimis.register_rows(region_obj, year_or_404(year), scope=scope)
    name = f"registre-de-minimis-{region_obj.code.lower()}-{year}.csv"
    return _csv_response(deminimis.REGISTER_COLUMNS, rows, name)
