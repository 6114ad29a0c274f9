"""The API's query filters. Dates and times are bounded before they reach the database: a year
or a time-zone offset PostgreSQL (or Python's UTC conversion) cannot hold is a 400 with a French
message, never a server error."""

from datetime import timedelta

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField

from applications.enums import DossierState
from applications.models import Dossier
from payments.enums import PaymentKind
from payments.models import Payment

FIRST_YEAR, LAST_YEAR = 1900, 2100
MAX_OFFSET = timedelta(hours=14)  # the widest offset in use (Kiribati, UTC+14)
DATETIME_INVALID = (
    "Date et heure invalides : format ISO 8601 attendu, ex. 2026-05-01T00:00:00+02:00."
)
DATETIME_OUT_OF_RANGE = (
    f"Date et heure hors limites : l'année doit être comprise entre {FIRST_YEAR} et {LAST_YEAR} "
    "et le décalage horaire entre -14:00 et +14:00."
)


class BoundedIsoDateTimeField(IsoDateTimeField):
    default_error_messages = {"invalid": DATETIME_INVALID}

    def to_python(self, value):
        try:
            parsed = super().to_python(value)
        except OverflowError as exc:  # a date Python cannot place in the current time zone
            raise forms.ValidationError(DATETIME_OUT_OF_RANGE, code="out_of_range") from exc
        if parsed is None:
            return None
        offset = parsed.utcoffset()
        if not FIRST_YEAR <= parsed.year <= LAST_YEAR or (offset and abs(offset) > MAX_OFFSET):
            raise forms.ValidationError(DATETIME_OUT_OF_RANGE, code="out_of_range")
        return parsed


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class DossierFilter(django_filters.FilterSet):
    updated_since = BoundedIsoDateTimeFilter(
        field_name="last_saved_at",
        lookup_expr="gte",
        label="Modifiés depuis (date et heure ISO 8601, ex. 2026-05-01T00:00:00+02:00)",
    )
    scheme = django_filters.CharFilter(field_name="scheme__code", label="Code du dispositif")
    state = django_filters.MultipleChoiceFilter(choices=DossierState.choices, label="État")

    class Meta:
        model = Dossier
        fields = ["updated_since", "scheme", "state"]


class DecisionFilter(django_filters.FilterSet):
    decided_since = BoundedIsoDateTimeFilter(
        field_name="decided_at", lookup_expr="gte", label="Décidés depuis (ISO 8601)"
    )
    scheme = django_filters.CharFilter(field_name="scheme__code", label="Code du dispositif")

    class Meta:
        model = Dossier
        fields = ["decided_since", "scheme"]


class PaymentFilter(django_filters.FilterSet):
    validated_since = BoundedIsoDateTimeFilter(
        field_name="validated_at", lookup_expr="gte", label="Validés depuis (ISO 8601)"
    )
    scheme = django_filters.CharFilter(field_name="dossier__scheme__code", label="Dispositif")
    kind = django_filters.ChoiceFilter(choices=PaymentKind.choices, label="Type")

    class Meta:
        model = Payment
        fields = ["validated_since", "scheme", "kind"]
