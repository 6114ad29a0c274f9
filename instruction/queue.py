"""The agents' queue: tabs with counters, filters, search, sort and one page of rows.

Every page costs a constant number of SQL queries, whatever the number of dossiers:
the scope (role assignments), the filter choices (schemes, départements, agents), one aggregate for
the tab counters and one count of the agent's own dossiers (which also give the paginator its
count; both cached, see queue_cache), and two queries for the page's rows, fetched as dictionaries
with only the columns shown.

Counters are computed over the agent's scope *with* the current filters and search applied, so
that they answer "how many of what I am looking at are in each tab"; the tab of the list is one of
them, which spares a separate COUNT(*).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cached_property

import django_filters
from django import forms
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    Lookup,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from accounts.permissions import regional_assignments, scheme_scope_q
from applications.enums import INSTRUCTION_ENDED_STATES, TO_DECIDE_STATES
from applications.enums import DossierState as S
from applications.models import Dossier
from common.filters import FrenchNumberFilter
from instruction.models import Review
from instruction.models_queue import QueueLabel
from instruction.queue_cache import (
    cached_choices,
    cached_counters,
    cached_search,
    counters_key,
    labels_version,
    mine_key,
)
from instruction.shaping import labels_text, parse_labels
from organisations.models import Organisation
from schemes.models import Scheme
from schemes.templatetags.aides import euros
from territories.models import Department

PAGE_SIZE = 50
CHOICE_FILTERS = ("scheme", "department", "agent", "label")  # option lists: the scope's
STATE_LABELS = dict(S.choices)

# The amount shown and filtered: the award once decided, else the engine's estimate at submission.
AMOUNT = Coalesce(
    "awarded_amount",
    Cast(KT("result__award"), DecimalField(max_digits=12, decimal_places=2)),
    output_field=DecimalField(max_digits=12, decimal_places=2),
)
# States in the order of the workflow, for a meaningful sort on "État".
STATE_ORDER = Case(
    *[When(state=value, then=Value(i)) for i, value in enumerate(S.values)],
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class Tab:
    code: str
    label: str


TABS = [
    Tab("to_take", "À prendre"),
    Tab("mine", "Mes dossiers"),
    Tab("complements", "Compléments demandés"),
    Tab("to_decide", "À décider"),
    Tab("decided", "Décidés"),
    Tab("all", "Tous"),
]
TAB_CODES = [tab.code for tab in TABS]


def tab_q(code: str, user) -> Q:
    """The dossiers of a tab. Admissible dossiers are still instructed: "Mes dossiers"/"Tous".

    The two tabs that depend on the review are written as sub-queries rather than through the
    review join, so that PostgreSQL counts the other tabs from the (scheme, state, id) index
    alone and only looks reviews up for the submitted dossiers (à prendre) or reads the agent's
    own reviews once (mes dossiers). The state test comes first: it is evaluated first.
    """
    if code == "to_take":
        taken = Review.objects.filter(dossier_id=OuterRef("pk"), agent__isnull=False)
        return Q(state=S.SUBMITTED) & ~Exists(taken)
    if code == "mine":
        mine = Review.objects.filter(agent_id=user.pk).values("dossier_id")
        return ~Q(state__in=INSTRUCTION_ENDED_STATES) & Q(pk__in=mine)
    if code == "complements":
        return Q(state=S.COMPLEMENTS_REQUESTED)
    if code == "to_decide":
        return Q(state__in=TO_DECIDE_STATES)
    if code == "decided":
        return Q(state__in=INSTRUCTION_ENDED_STATES)
    return Q()


# Sort keys of the URL (?sort=amount, ?sort=-amount) and their expressions.
SORTS = {
    "number": ("Numéro", [F("number")]),
    "organisation": ("Organisation", [F("organisation__name")]),
    "scheme": ("Dispositif", [F("scheme__code")]),
    "state": ("État", [STATE_ORDER]),
    "submitted_at": ("Déposé le", [F("submitted_at")]),
    "amount": ("Montant", [F("amount")]),
    "agent": ("Instructeur", [F("review__agent__last_name"), F("review__agent__first_name")]),
    "department": ("Département", [F("organisation__department__code")]),
    "overdue": ("En retard depuis", [F("review__overdue_since")]),
}
DEFAULT_SORT = "submitted_at"

# The columns of a row, fetched with .values(): no model instance, no lazy relation.
ROW_COLUMNS = ["pk", "number", "state", "submitted_at"]
ROW_FIELDS = {
    "amount": F("amount"),
    "scheme_code": F("scheme__code"),
    "organisation_name": F("organisation__name"),
    "siret": F("organisation__siret"),
    "department_code": F("organisation__department__code"),
    "agent_first_name": F("review__agent__first_name"),
    "agent_last_name": F("review__agent__last_name"),
    "overdue_since": F("review__overdue_since"),
    "overdue_reason": F("review__overdue_reason"),
    "labels_text": labels_text(),
}
# Read for the engine's columns only (criteria failing, de minimis headroom).
ENGINE_FIELDS = {
    "checks": F("result__checks"),
    "rules": KT("result__rules"),
    "kind": F("organisation__kind"),
}

# The columns an agent may show, in their order on the page (the number is always shown).
COLUMNS = {
    "organisation": "Organisation",
    "scheme": "Dispositif",
    "state": "État",
    "submitted_at": "Déposé le",
    "amount": "Montant",
    "agent": "Instructeur",
    "department": "Département",
    "overdue": "En retard depuis",
    "labels": "Étiquettes",
    "failing": "Critères non remplis (moteur)",
    "de_minimis": "Marge sous le plafond de minimis",
}
DEFAULT_COLUMNS = [key for key in COLUMNS if key not in ("failing", "de_minimis")]
ENGINE_COLUMNS = {"failing", "de_minimis"}


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def name_search_q(text: str) -> Q:
    """Organisations whose name matches: full text without accents on PostgreSQL, else icontains."""
    if connection.vendor != "postgresql":
        # SQLite: every word contained in the name; case-insensitive for ASCII letters only.
        query = Q()
        for word in text.split():
            query &= Q(organisation__name__icontains=word)
        return query
    from django.contrib.postgres.search import SearchQuery, SearchVectorField

    words = re.findall(r"\w+", strip_accents(text).lower())
    if not words:
        return Q(pk__in=[])
    # Each word as a prefix ("dupr" finds "Dupré"), all words required.
    query = SearchQuery(
        " & ".join(f"{word}:*" for word in words), config="simple", search_type="raw"
    )
    # The expression of the GIN index organisation_name_search_idx (instruction migration 0004).
    document = Func(
        F("name"),
        template="to_tsvector('simple'::regconfig, aides_unaccent(%(expressions)s))",
        output_field=SearchVectorField(),
    )
    matching = Organisation.objects.annotate(document=document).filter(document=query).values("pk")
    return _matching("organisation", matching, text=" ".join(words))


def search_q(text: str) -> Q:
    """Number (exact or prefix), SIRET (14 digits), SIREN (9 digits) or organisation name."""
    text = text.strip()
    if not text:
        return Q()
    digits = re.sub(r"[\s.]", "", text)
    if digits.isdigit() and len(digits) == 14:
        return Q(organisation__siret=digits)
    if digits.isdigit() and len(digits) == 9:
        return Q(organisation__siren=digits)
    # Both sides are look-ups on an index (number prefix, words of the name).
    by_number = Dossier.objects.filter(number__istartswith=text).order_by().values("pk")
    return _matching("pk", by_number, text=text.upper()) | name_search_q(text)


SEARCH_LIST_MAX = 5000


class AnyOf(Lookup):
    """``column = ANY('{1,2,…}'::bigint[])``: a list of ids as one parameter (PostgreSQL).

    For a few thousand ids, ``IN (%s, %s, …)`` cost twice as much to build, send and plan.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", ["{" + ",".join(str(int(v)) for v in value) + "}"]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs}::bigint[])", [*lhs_params, *rhs_params]


def _matching(field: str, ids: QuerySet, *, text: str) -> Q:
    """The rows whose `field` is one of the ids found by an indexed look-up.

    On PostgreSQL the ids are read (and cached for the search's `text`, see queue_cache) and
    given as a list when there are not too many of them: PostgreSQL then estimates how many
    dossiers match and reads them through the organisation index instead of testing every
    dossier of the region (a common name's counters: 55 → 15 ms). Thousands of ids, or another
    database: the sub-query.
    """
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})
    found = cached_search(
        f"{field}:{text}", lambda: list(ids.values_list("pk", flat=True)[: SEARCH_LIST_MAX + 1])
    )
    if len(found) > SEARCH_LIST_MAX:
        return Q(**{f"{field}__in": ids})
    return Q(AnyOf(F(field), found))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class QueueFilter(django_filters.FilterSet):
    """The filters of the queue; choices are limited to the agent's scope."""

    q = django_filters.CharFilter(
        label="Rechercher (numéro, SIREN, SIRET ou nom)", method="filter_search"
    )
    scheme = django_filters.ModelChoiceFilter(
        label="Dispositif",
        field_name="scheme",
        to_field_name="code",
        queryset=Scheme.objects.none(),
    )
    state = django_filters.ChoiceFilter(
        label="État", choices=[c for c in S.choices if c[0] != S.DRAFT], empty_label="Tous"
    )
    agent = django_filters.ModelChoiceFilter(
        label="Instructeur",
        field_name="review__agent",
        queryset=User.objects.none(),
        null_label="Non attribué",
        empty_label="Tous",
    )
    department = django_filters.ModelChoiceFilter(
        label="Département",
        field_name="organisation__department",
        to_field_name="code",
        queryset=Department.objects.none(),
        empty_label="Tous",
    )
    filed_from = django_filters.DateFilter(
        label="Déposé à partir du", method="filter_filed_from", widget=DateInput()
    )
    filed_to = django_filters.DateFilter(
        label="Déposé jusqu'au", method="filter_filed_to", widget=DateInput()
    )
    amount_min = FrenchNumberFilter(
        label="Montant minimum (€)", field_name="amount", lookup_expr="gte", min_value=0
    )
    amount_max = FrenchNumberFilter(
        label="Montant maximum (€)", field_name="amount", lookup_expr="lte", min_value=0
    )
    label = django_filters.ModelChoiceFilter(
        label="Étiquette",
        field_name="labels__label",
        queryset=QueueLabel.objects.none(),
        empty_label="Toutes",
    )
    overdue = django_filters.ChoiceFilter(
        label="Retard",
        choices=[("yes", "En retard"), ("no", "Sans retard")],
        empty_label="Tous",
        method="filter_overdue",
    )

    class Meta:
        model = Dossier
        fields: list[str] = []

    def __init__(self, *args, scope: "Scope", **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["scheme"].queryset = scope.schemes()
        self.form.fields["scheme"].empty_label = "Tous"
        self.form.fields["department"].queryset = scope.departments()
        self.form.fields["agent"].queryset = scope.agents()
        self.form.fields["label"].queryset = scope.labels()
        # The lists shown come from the cache; the querysets stay to validate a chosen value.
        key = f"{scope.key}:{labels_version()}"
        for name, choices in cached_choices(key, lambda: self._choices()).items():
            self.form.fields[name].widget.choices = choices
        for name in ("filed_from", "filed_to"):
            self.form.fields[name].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]
        for form_field in self.form.fields.values():
            is_select = isinstance(form_field.widget, forms.Select)
            form_field.widget.attrs["class"] = "form-select" if is_select else "form-control"

    def _choices(self) -> dict[str, list[tuple[str, str]]]:
        return {
            name: [(str(value), str(label)) for value, label in self.form.fields[name].choices]
            for name in CHOICE_FILTERS
        }

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def filter_filed_from(self, queryset, name, value):
        # A range on the indexed timestamp (not __date, which would defeat the index).
        start = timezone.make_aware(datetime.combine(value, time.min))
        return queryset.filter(submitted_at__gte=start)

    def filter_filed_to(self, queryset, name, value):
        end = timezone.make_aware(datetime.combine(value + timedelta(days=1), time.min))
        return queryset.filter(submitted_at__lt=end)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(review__overdue_since__isnull=(value != "yes"))


@dataclass
class Scope:
    """What an agent may see, read once per request: the dossier filter and the choice lists."""

    user: object
    is_admin: bool
    assignments: list = field(default_factory=list)

    @classmethod
    def for_user(cls, user) -> "Scope":
        if user.has_role(Role.ADMIN):
            return cls(user=user, is_admin=True)
        return cls(user=user, is_admin=False, assignments=regional_assignments(user, Role.AGENT))

    @property
    def region(self):
        """The agent's region when there is exactly one (for the colour band)."""
        regions = {a.region_id: a.region for a in self.assignments}
        return next(iter(regions.values())) if len(regions) == 1 else None

    @property
    def key(self) -> str:
        """What the scope covers, for cache keys: changes when the agent's assignments change."""
        if self.is_admin:
            return "admin"
        parts = sorted(
            f"{a.region_id}:{','.join(sorted(a.scheme_codes or []))}" for a in self.assignments
        )
        return "|".join(parts)

    def _region_ids(self) -> list[int]:
        return sorted({a.region_id for a in self.assignments})

    def dossiers(self) -> QuerySet:
        # The agent's scope (agent_scope_q: regions, and schemes when assigned to some) as the
        # list of its schemes, i.e. the same rule on the dossier's own column: PostgreSQL reads
        # the counters from the (scheme, state, id) index and estimates the tabs' sizes right.
        scope = Q() if self.is_admin else Q(scheme_id__in=self.scheme_ids)
        return Dossier.objects.filter(scope).exclude(state=S.DRAFT).alias(amount=AMOUNT)

    @cached_property
    def scheme_ids(self) -> list[int]:
        return list(self.schemes().values_list("pk", flat=True))

    def schemes(self) -> QuerySet:
        # The agent scope's rule (agent_scope_q), on the schemes themselves.
        scope = scheme_scope_q(self.user, Role.AGENT, region_field="region_id", scheme_field="code")
        return Scheme.objects.filter(scope).order_by("code")

    def departments(self) -> QuerySet:
        departments = Department.objects.filter(region__isnull=False).order_by("code")
        return (
            departments if self.is_admin else departments.filter(region_id__in=self._region_ids())
        )

    def labels(self) -> QuerySet:
        labels = QueueLabel.objects.order_by("name", "region_id")
        return labels if self.is_admin else labels.filter(region_id__in=self._region_ids())

    def agents(self) -> QuerySet:
        lookups = {"role_assignments__role": Role.AGENT}
        if not self.is_admin:
            lookups["role_assignments__region_id__in"] = self._region_ids()
        return (
            User.objects.filter(**lookups).distinct().order_by("last_name", "first_name", "email")
        )


def parse_sort(raw: str | None) -> tuple[str, bool]:
    """'-amount' -> ('amount', True); unknown keys fall back to the default sort."""
    raw = raw or ""
    key, descending = raw.removeprefix("-"), raw.startswith("-")
    if key not in SORTS:
        return DEFAULT_SORT, False
    return key, descending


def order_by(key: str, descending: bool) -> list:
    expressions = [
        e.desc(nulls_last=True) if descending else e.asc(nulls_last=True) for e in SORTS[key][1]
    ]
    # A unique tie-breaker keeps the pages stable.
    return [*expressions, F("pk").desc() if descending else F("pk").asc()]


@dataclass
class QueueResult:
    filterset: QueueFilter
    tab: str
    sort: str
    descending: bool
    counters: dict[str, int]
    queryset: QuerySet  # the filtered, sorted list of the current tab (for exports)


def queue_list(*, scope: Scope, params) -> QueueResult:
    """The filtered list of the current tab, its sort, and the counters of every tab."""
    filterset = QueueFilter(params, queryset=scope.dossiers(), scope=scope)
    filtered = filterset.qs  # an invalid filter value is ignored, the form shows the error
    tab = params.get("tab") if params.get("tab") in TAB_CODES else "to_take"
    sort, descending = parse_sort(params.get("sort"))
    queryset = filtered.filter(tab_q(tab, scope.user)).order_by(*order_by(sort, descending))
    return QueueResult(filterset, tab, sort, descending, {}, queryset)


def queue_counters(*, scope: Scope, filtered: QuerySet, params) -> dict[str, int]:
    """The counter of every tab, cached: one aggregate query shared by the agents of the scope,
    and one count of the agent's own dossiers ("Mes dossiers")."""
    key = counters_key(
        scope_key=scope.key, params=params, filter_names=list(QueueFilter.base_filters)
    )
    shared_tabs = [code for code in TAB_CODES if code != "mine"]
    shared = cached_counters(
        key,
        lambda: filtered.order_by().aggregate(
            **{
                code: Count("pk", filter=tab_q(code, scope.user)) if code != "all" else Count("pk")
                for code in shared_tabs
            }
        ),
    )
    mine = cached_counters(
        mine_key(key, scope.user.pk),
        lambda: {"mine": filtered.filter(tab_q("mine", scope.user)).order_by().count()},
    )
    counts = {**shared, **mine}
    return {code: counts[code] for code in TAB_CODES}


def queue_rows(queryset: QuerySet, *, engine: bool = False) -> QuerySet:
    """The rows of the list as dictionaries, with only the columns shown."""
    if engine:
        return queryset.values(*ROW_COLUMNS, "filed_on", **ROW_FIELDS, **ENGINE_FIELDS)
    return queryset.values(*ROW_COLUMNS, **ROW_FIELDS)


def decorate(row: dict) -> dict:
    row["state_label"] = STATE_LABELS.get(row["state"], row["state"])
    first, last = row.get("agent_first_name") or "", row.get("agent_last_name") or ""
    row["agent_name"] = f"{first} {last}".strip()
    row["labels"] = parse_labels(row.get("labels_text"))
    row["label_names"] = ", ".join(label["name"] for label in row["labels"])
    return row


def failing_criteria(checks) -> list[str]:
    """The criteria the engine found unmet at submission (its checklist, `passed` False)."""
    if not isinstance(checks, list):
        return []
    return [c.get("label", c.get("code", "")) for c in checks if c.get("passed") is False]


def add_engine_columns(rows: list[dict]) -> None:
    """Criteria failing and de minimis headroom for a page of rows: two queries at most (the
    rule versions' stamp, the de minimis aids declared in the page's dossiers)."""
    from applications.models import DeMinimisAid
    from schemes.core.history import de_minimis_headroom
    from schemes.selectors import rule_versions

    versions = {v.ident: v for v in rule_versions()}
    aids: dict[int, list] = {}
    declared = DeMinimisAid.objects.filter(dossier_id__in=[row["pk"] for row in rows])
    for dossier_id, granted_on, amount in declared.values_list(
        "dossier_id", "granted_on", "amount"
    ):
        aids.setdefault(dossier_id, []).append((granted_on, amount))
    for row in rows:
        row["failing"] = failing_criteria(row.get("checks"))
        filed_on = row.get("filed_on") or (
            timezone.localdate(row["submitted_at"]) if row["submitted_at"] else None
        )
        headroom = None
        if filed_on is not None and row["amount"] is not None:
            headroom = de_minimis_headroom(
                versions.get(row.get("rules")),
                kind=row.get("kind") or "",
                filed_on=filed_on,
                aids=aids.get(row["pk"], []),
                award=row["amount"],
            )
        row["de_minimis"] = headroom
        row["de_minimis_exceeded"] = headroom is not None and headroom < 0
        if headroom is None:
            row["de_minimis_text"] = "non concerné"
        elif headroom < 0:
            row["de_minimis_text"] = f"plafond dépassé de {euros(-headroom)}"
        else:
            row["de_minimis_text"] = euros(headroom)


def decorate_for_page(row: dict) -> dict:
    """The row with its texts ready to print: fifty rows of ten cells through template filters
    were a large part of the page's time."""
    row = decorate(row)
    row["url"] = reverse("instruction:dossier", args=[row["pk"]])
    submitted, overdue = row["submitted_at"], row["overdue_since"]
    row["submitted_text"] = timezone.localtime(submitted).strftime("%d/%m/%Y") if submitted else ""
    row["overdue_text"] = overdue.strftime("%d/%m/%Y") if overdue else ""
    row["amount_text"] = euros(row["amount"])
    return row


def queue_page(
    *, scope: Scope, params, page_size: int = PAGE_SIZE, columns=DEFAULT_COLUMNS
) -> tuple[QueueResult, Page]:
    """The queue for one request: counters (one query, cached) and one page of rows.

    The page is read in two steps: the numbers of the page's dossiers first, sorted and cut on the
    dossier table with only the joins the filters and the sort need; then the columns shown, for
    those fifty dossiers only. In one step PostgreSQL joined organisations, reviews and agents to
    every matching dossier (thousands) before sorting them and keeping fifty.
    """
    result = queue_list(scope=scope, params=params)
    result.counters = queue_counters(scope=scope, filtered=result.filterset.qs, params=params)
    paginator = Paginator(result.queryset.values_list("pk", flat=True), page_size)
    paginator.count = result.counters[result.tab]  # spares a COUNT(*): the counter is the count
    page = paginator.get_page(params.get("page"))
    pks = list(page.object_list)
    engine = bool(ENGINE_COLUMNS & set(columns))
    found = queue_rows(scope.dossiers().filter(pk__in=pks).order_by(), engine=engine)
    rows = {row["pk"]: row for row in found}
    page.object_list = [decorate_for_page(rows[pk]) for pk in pks if pk in rows]
    if engine and page.object_list:
        add_engine_columns(page.object_list)
    return result, page


EXPORT_COLUMNS = [
    ("number", "Numéro"),
    ("organisation_name", "Organisation"),
    ("siret", "SIRET"),
    ("department_code", "Département"),
    ("scheme_code", "Dispositif"),
    ("state_label", "État"),
    ("submitted_on", "Déposé le"),
    ("amount", "Montant (€)"),
    ("agent_name", "Instructeur"),
    ("overdue_since", "En retard depuis"),
    ("overdue_reason", "Motif du retard"),
    ("label_names", "Étiquettes"),
]


def export_rows(queryset: QuerySet, *, chunk_size: int = 2000):
    """Every row of the filtered list, read in chunks from one query (server-side cursor on PG)."""
    for row in queue_rows(queryset).iterator(chunk_size=chunk_size):
        row = decorate(row)
        submitted = row["submitted_at"]
        row["submitted_on"] = timezone.localtime(submitted).date() if submitted else None
        yield row


__all__ = [
    "COLUMNS",
    "DEFAULT_COLUMNS",
    "EXPORT_COLUMNS",
    "PAGE_SIZE",
    "QueueFilter",
    "Scope",
    "SORTS",
    "TABS",
    "export_rows",
    "queue_page",
]
